package api

import (
	"context"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// contactInboxJSON is Chatwoot's contact inbox partial: {source_id, inbox: slim inbox}.
type contactInboxJSON struct {
	SourceID string `json:"source_id"`
	Inbox    any    `json:"inbox"`
}

// contactInboxesOf loads the contact inboxes of a list of contacts, by contact id.
// Inboxes do not exist yet on this branch, so no contact has any.
func (s *Server) contactInboxesOf(ctx context.Context, q *store.Queries, accountID int64, contacts []*criachat.Contact) (map[int64][]contactInboxJSON, error) {
	return map[int64][]contactInboxJSON{}, nil
}
