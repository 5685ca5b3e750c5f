package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// rareWord appears in exactly rareCount seeded messages, for the search run.
const (
	rareWord  = "xylophonic"
	rareCount = 3
)

// seeded is what the measurements need to know about the seeded data.
type seeded struct {
	conversationDisplayIDs []int64
}

var words = []string{"order", "refund", "shipping", "thanks", "hello", "invoice", "account", "password", "delivery",
	"package", "late", "address", "payment", "card", "help", "question", "product", "size", "colour", "return"}

func sentence(r *rand.Rand) string {
	n := 4 + r.IntN(10)
	b := make([]byte, 0, n*8)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, words[r.IntN(len(words))]...)
	}
	return string(b)
}

// seed writes contacts (each with a contact inbox), conversations spread over
// the last 90 days and their messages, in transactions of a few thousand rows.
func seed(ctx context.Context, st *store.Store, o options, accountID, userID, inboxID int64) (seeded, error) {
	r := rand.New(rand.NewPCG(1, 2))
	var out seeded
	contacts := make([]*criachat.ContactInbox, 0, o.contacts)
	const batch = 2000
	for start := 0; start < o.contacts; start += batch {
		err := st.Tx(ctx, func(q *store.Queries) error {
			for i := start; i < min(start+batch, o.contacts); i++ {
				c := &criachat.Contact{AccountID: accountID, Name: fmt.Sprintf("Customer %d", i), Email: fmt.Sprintf("customer%d@example.com", i)}
				if err := q.CreateContact(ctx, c); err != nil {
					return err
				}
				ci := &criachat.ContactInbox{AccountID: accountID, ContactID: c.ID, InboxID: inboxID, SourceID: fmt.Sprintf("src-%d", i), PubsubToken: secret.NewToken()}
				if err := q.CreateContactInbox(ctx, ci); err != nil {
					return err
				}
				contacts = append(contacts, ci)
			}
			return nil
		})
		if err != nil {
			return out, err
		}
	}
	perConv := max(o.messages/max(o.conversations, 1), 1)
	rareLeft := rareCount
	now := time.Now()
	statuses := []criachat.ConversationStatus{criachat.StatusOpen, criachat.StatusOpen, criachat.StatusOpen,
		criachat.StatusResolved, criachat.StatusResolved, criachat.StatusPending}
	convBatch := max(batch/perConv, 1)
	// PostgreSQL plans a foreign-key check once per connection, from the
	// statistics of its first use: with a conversations table that was
	// empty then, every message insert scanned the whole table (seeding
	// slowed down as it grew, to half an hour at full size). Statistics
	// refreshed as the table doubles make those plans index lookups.
	analyzeAt := convBatch
	for start := 0; start < o.conversations; start += convBatch {
		if st.Dialect() == "postgres" && start >= analyzeAt {
			if err := st.Analyze(ctx); err != nil {
				return out, err
			}
			analyzeAt *= 2
		}
		err := st.Tx(ctx, func(q *store.Queries) error {
			for i := start; i < min(start+convBatch, o.conversations); i++ {
				ci := contacts[r.IntN(len(contacts))]
				created := now.Add(-time.Duration(r.Int64N(int64(90 * 24 * time.Hour))))
				c := &criachat.Conversation{AccountID: accountID, InboxID: inboxID, ContactID: ci.ContactID, ContactInboxID: ci.ID,
					Status: statuses[r.IntN(len(statuses))]}
				if r.IntN(2) == 0 {
					uid := userID
					c.AssigneeID = &uid
				}
				c.LastActivityAt = created.Add(time.Duration(perConv) * time.Minute)
				if err := q.CreateConversation(ctx, c); err != nil {
					return err
				}
				out.conversationDisplayIDs = append(out.conversationDisplayIDs, c.DisplayID)
				for m := 0; m < perConv; m++ {
					msg := &criachat.Message{AccountID: accountID, InboxID: inboxID, ConversationID: c.ID,
						MessageType: criachat.MessageType(m % 2), Content: sentence(r), CreatedAt: created.Add(time.Duration(m) * time.Minute)}
					if msg.MessageType == criachat.MessageIncoming {
						id := ci.ContactID
						msg.SenderType, msg.SenderID = "Contact", &id
					} else {
						id := userID
						msg.SenderType, msg.SenderID = criachat.OwnerUser, &id
					}
					if rareLeft > 0 && i%(o.conversations/rareCount+1) == 0 && m == 0 {
						msg.Content += " " + rareWord
						rareLeft--
					}
					if err := q.CreateMessage(ctx, msg); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
