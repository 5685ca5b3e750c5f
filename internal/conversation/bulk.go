package conversation

import (
	"context"
	"slices"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// BulkChange is what POST /bulk_actions changes on each conversation
// (reference §3.5, Chatwoot's BulkActionsJob). Nil or false fields change nothing.
type BulkChange struct {
	Status       *criachat.ConversationStatus
	SnoozedUntil *time.Time // with Status snoozed
	// SetTeam applies TeamID (nil removes the team); SetAssignee applies
	// AssigneeID (nil unassigns).
	SetTeam     bool
	TeamID      *int64
	SetAssignee bool
	AssigneeID  *int64
	// AddLabels and RemoveLabels change the labels: removals first, then additions.
	AddLabels, RemoveLabels []string
}

func (b BulkChange) labels() bool { return len(b.AddLabels) > 0 || len(b.RemoveLabels) > 0 }

// Bulk applies a change to the conversations of an account with these display
// ids that the actor may see (reference §2.6); the others, and ids of no
// conversation of the account, are skipped. Each conversation changes in its
// own transaction, with the activity messages of each change, as the single
// endpoints write them; an agent who opens conversations this way is not made
// their assignee (Chatwoot's job updates the records, it does not toggle).
// It returns how many conversations were changed.
func (s *Service) Bulk(ctx context.Context, a Actor, accountID int64, displayIDs []int64, ch BulkChange) (int, error) {
	if ch.Status != nil && !ch.Status.Valid() {
		return 0, criachat.Errorf(criachat.EINVALID, "'%s' is not a valid status", *ch.Status)
	}
	if err := criachat.ValidateLabels(criachat.NormalizeLabels(ch.AddLabels)); err != nil {
		return 0, err
	}
	remove := criachat.NormalizeLabels(ch.RemoveLabels)
	n := 0
	seen := map[int64]bool{}
	for _, id := range displayIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		c, err := s.store.Read().Conversation(ctx, accountID, id)
		if criachat.IsNotFound(err) {
			continue
		} else if err != nil {
			return n, err
		}
		if ok, err := s.CanAccess(ctx, a, c); err != nil {
			return n, err
		} else if !ok {
			continue
		}
		err = s.store.Tx(ctx, func(q *store.Queries) error {
			if ch.labels() {
				_, err := s.setLabels(ctx, q, a, accountID, id, func(current []string) []string {
					kept := slices.DeleteFunc(slices.Clone(current), func(l string) bool { return slices.Contains(remove, l) })
					return append(kept, ch.AddLabels...)
				})
				if err != nil {
					return err
				}
			}
			if ch.Status != nil {
				if _, err := s.toggleStatus(ctx, q, a, accountID, id, ch.Status, ch.SnoozedUntil, false); err != nil {
					return err
				}
			}
			if ch.SetTeam {
				if _, err := s.assignTeam(ctx, q, a, accountID, id, ch.TeamID); err != nil {
					return err
				}
			}
			if ch.SetAssignee {
				if _, err := s.assignUser(ctx, q, a, accountID, id, ch.AssigneeID); err != nil {
					return err
				}
			}
			return nil
		})
		if criachat.IsNotFound(err) {
			continue // deleted since it was read (the caller has checked the team and assignee)
		} else if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
