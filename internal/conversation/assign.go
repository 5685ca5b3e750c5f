package conversation

import (
	"context"
	"slices"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/event"
	"github.com/criachat/criachat/internal/store"
)

// AssignUser sets (or with nil clears) a conversation's assignee, who must be a
// member of the account; it clears an agent bot assignee (reference §6.3). It
// returns the new assignee as an agent, or nil.
func (s *Service) AssignUser(ctx context.Context, a Actor, accountID, displayID int64, userID *int64) (*criachat.Agent, error) {
	var out *criachat.Agent
	err := s.store.Tx(ctx, func(q *store.Queries) (err error) {
		out, err = s.assignUser(ctx, q, a, accountID, displayID, userID)
		return err
	})
	return out, err
}

func (s *Service) assignUser(ctx context.Context, q *store.Queries, a Actor, accountID, displayID int64, userID *int64) (*criachat.Agent, error) {
	c, err := q.Conversation(ctx, accountID, displayID)
	if err != nil {
		return nil, err
	}
	var agent *criachat.Agent
	if userID != nil {
		ag, err := q.Agent(ctx, accountID, *userID)
		if criachat.IsNotFound(err) {
			return nil, criachat.Errorf(criachat.ENOTFOUND, "assignee is not a member of this account")
		} else if err != nil {
			return nil, err
		}
		agent = &ag
	}
	if equalID(c.AssigneeID, userID) && (userID == nil || c.AssigneeAgentBotID == nil) {
		return agent, nil
	}
	before := event.Snapshot(c)
	c.AssigneeID = userID
	if userID != nil {
		c.AssigneeAgentBotID = nil
	}
	if err := q.UpdateConversation(ctx, c); err != nil {
		return nil, err
	}
	name := ""
	if agent != nil {
		name = agent.User.AvailableName()
	}
	self := userID != nil && a.User != nil && *userID == a.User.ID
	if err := s.activity(ctx, q, c, criachat.ActivityAssignee(name, a.name(), self)); err != nil {
		return nil, err
	}
	return agent, s.changed(ctx, q, before, c)
}

// AssignTeam sets (or with nil clears) a conversation's team. An assignee who
// is not in the new team is dropped (reference §6.3).
func (s *Service) AssignTeam(ctx context.Context, a Actor, accountID, displayID int64, teamID *int64) (*criachat.Team, error) {
	var out *criachat.Team
	err := s.store.Tx(ctx, func(q *store.Queries) (err error) {
		out, err = s.assignTeam(ctx, q, a, accountID, displayID, teamID)
		return err
	})
	return out, err
}

func (s *Service) assignTeam(ctx context.Context, q *store.Queries, a Actor, accountID, displayID int64, teamID *int64) (*criachat.Team, error) {
	c, err := q.Conversation(ctx, accountID, displayID)
	if err != nil {
		return nil, err
	}
	var team, old *criachat.Team
	if teamID != nil {
		if team, err = q.Team(ctx, accountID, *teamID); err != nil {
			return nil, err
		}
	}
	if equalID(c.TeamID, teamID) {
		return team, nil
	}
	if c.TeamID != nil {
		if old, err = q.Team(ctx, accountID, *c.TeamID); err != nil && !criachat.IsNotFound(err) {
			return nil, err
		}
	}
	before := event.Snapshot(c)
	c.TeamID = teamID
	if team != nil && c.AssigneeID != nil {
		member, err := q.IsTeamMember(ctx, team.ID, *c.AssigneeID)
		if err != nil {
			return nil, err
		}
		if !member {
			c.AssigneeID = nil
		}
	}
	if err := q.UpdateConversation(ctx, c); err != nil {
		return nil, err
	}
	var activity string
	switch {
	case team != nil:
		activity = criachat.ActivityTeam(team.Name, "", a.name(), false)
	case old != nil:
		activity = criachat.ActivityTeam(old.Name, "", a.name(), true)
	}
	if activity != "" {
		if err := s.activity(ctx, q, c, activity); err != nil {
			return nil, err
		}
	}
	return team, s.changed(ctx, q, before, c)
}

// SetLabels replaces a conversation's labels and writes "added"/"removed"
// activity messages for the difference.
func (s *Service) SetLabels(ctx context.Context, a Actor, accountID, displayID int64, labels []string) ([]string, error) {
	var out []string
	err := s.store.Tx(ctx, func(q *store.Queries) (err error) {
		out, err = s.setLabels(ctx, q, a, accountID, displayID, func([]string) []string { return labels })
		return err
	})
	return out, err
}

// setLabels replaces the labels with what change makes of the current ones.
func (s *Service) setLabels(ctx context.Context, q *store.Queries, a Actor, accountID, displayID int64, change func(current []string) []string) ([]string, error) {
	c, err := q.Conversation(ctx, accountID, displayID)
	if err != nil {
		return nil, err
	}
	snapshot := event.Snapshot(c)
	before := snapshot.Labels
	if err := q.SetConversationLabels(ctx, c, change(before)); err != nil {
		return nil, err
	}
	var added, removed []string
	for _, l := range c.Labels {
		if !slices.Contains(before, l) {
			added = append(added, l)
		}
	}
	for _, l := range before {
		if !slices.Contains(c.Labels, l) {
			removed = append(removed, l)
		}
	}
	if len(added) > 0 {
		if err := s.activity(ctx, q, c, criachat.ActivityLabels(added, a.name(), false)); err != nil {
			return nil, err
		}
	}
	if len(removed) > 0 {
		if err := s.activity(ctx, q, c, criachat.ActivityLabels(removed, a.name(), true)); err != nil {
			return nil, err
		}
	}
	return c.Labels, s.changed(ctx, q, snapshot, c)
}

func equalID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
