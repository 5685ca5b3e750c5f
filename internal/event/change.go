package event

import (
	"maps"
	"reflect"
	"slices"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
)

// Snapshot copies a conversation deeply enough (maps and slices included)
// that later changes to c do not show in the copy: the "before" of a change.
func Snapshot(c *criachat.Conversation) *criachat.Conversation {
	s := *c
	s.AdditionalAttributes = maps.Clone(c.AdditionalAttributes)
	s.CustomAttributes = maps.Clone(c.CustomAttributes)
	s.Labels = slices.Clone(c.Labels)
	return &s
}

// ConversationChanges lists what changed between two states of a
// conversation among the attributes Chatwoot's conversation_updated watches
// (reference §4.4), in a fixed order, with updated_at last when anything did.
func ConversationChanges(before, after *criachat.Conversation) []Change {
	var out changeList
	out.add("status", string(before.Status), string(after.Status))
	out.add("assignee_id", idOrNil(before.AssigneeID), idOrNil(after.AssigneeID))
	out.add("assignee_agent_bot_id", idOrNil(before.AssigneeAgentBotID), idOrNil(after.AssigneeAgentBotID))
	out.add("team_id", idOrNil(before.TeamID), idOrNil(after.TeamID))
	out.add("snoozed_until", timeOrNil(before.SnoozedUntil), timeOrNil(after.SnoozedUntil))
	out.add("custom_attributes", emptyIfNil(before.CustomAttributes), emptyIfNil(after.CustomAttributes))
	out.add("label_list", labels(before.Labels), labels(after.Labels))
	out.add("waiting_since", timeOrNil(before.WaitingSince), timeOrNil(after.WaitingSince))
	out.add("first_reply_created_at", timeOrNil(before.FirstReplyCreatedAt), timeOrNil(after.FirstReplyCreatedAt))
	out.add("priority", present.NullString(string(before.Priority)), present.NullString(string(after.Priority)))
	return out.withUpdatedAt(before.UpdatedAt, after.UpdatedAt)
}

// ConversationEventTypes are the events a set of conversation changes fires:
// conversation_status_changed (and conversation_opened / _resolved, which
// agent bots receive) when the status moved, assignee_changed and
// team_changed for the feed, and conversation_updated for any of them.
func ConversationEventTypes(changes []Change, status criachat.ConversationStatus) []criachat.EventType {
	var out []criachat.EventType
	has := func(attr string) bool {
		return slices.ContainsFunc(changes, func(c Change) bool { return c.Attr == attr })
	}
	if has("status") {
		out = append(out, criachat.EventConversationStatusChanged)
		switch status {
		case criachat.StatusOpen:
			out = append(out, criachat.EventConversationOpened)
		case criachat.StatusResolved:
			out = append(out, criachat.EventConversationResolved)
		}
	}
	if has("assignee_id") || has("assignee_agent_bot_id") {
		out = append(out, criachat.EventAssigneeChanged)
	}
	if has("team_id") {
		out = append(out, criachat.EventTeamChanged)
	}
	if len(changes) > 0 {
		out = append(out, criachat.EventConversationUpdated)
	}
	return out
}

func idOrNil(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func timeOrNil(t *time.Time) any { return present.ISOTimePtr(t) }

func labels(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// ContactChanges lists what changed between two states of a contact, with
// updated_at last when anything did.
func ContactChanges(before, after *criachat.Contact) []Change {
	var out changeList
	out.add("name", before.Name, after.Name)
	out.add("email", present.NullString(before.Email), present.NullString(after.Email))
	out.add("phone_number", present.NullString(before.PhoneNumber), present.NullString(after.PhoneNumber))
	out.add("identifier", present.NullString(before.Identifier), present.NullString(after.Identifier))
	out.add("blocked", before.Blocked, after.Blocked)
	out.add("additional_attributes", emptyIfNil(before.AdditionalAttributes), emptyIfNil(after.AdditionalAttributes))
	out.add("custom_attributes", emptyIfNil(before.CustomAttributes), emptyIfNil(after.CustomAttributes))
	return out.withUpdatedAt(before.UpdatedAt, after.UpdatedAt)
}

// changeList collects the attributes that differ, in the order added.
type changeList []Change

func (l *changeList) add(attr string, prev, curr any) {
	if !reflect.DeepEqual(prev, curr) {
		*l = append(*l, Change{Attr: attr, Previous: prev, Current: curr})
	}
}

// withUpdatedAt ends a non-empty list with the updated_at change, as Rails'
// previous_changes always carry it.
func (l changeList) withUpdatedAt(before, after time.Time) []Change {
	if len(l) > 0 && !before.Equal(after) {
		l = append(l, Change{Attr: "updated_at", Previous: present.ISOTime(before), Current: present.ISOTime(after)})
	}
	return l
}
