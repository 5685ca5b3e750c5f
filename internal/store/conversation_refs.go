package store

import (
	"context"

	"github.com/criachat/criachat/internal/criachat"
)

// Lookups the conversation family needs from contacts.

// ContactsByIDs returns the account's contacts among ids, by id, in one query.
func (q *Queries) ContactsByIDs(ctx context.Context, accountID int64, ids []int64) (map[int64]*criachat.Contact, error) {
	out := map[int64]*criachat.Contact{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, `SELECT `+contactColumns+` FROM contacts c WHERE c.account_id = ? AND c.id IN (`+q.d.idSet()+`)`,
		accountID, jsonList(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s contactScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		c := s.contact()
		out[c.ID] = c
	}
	return out, rows.Err()
}

// ContactInboxBySourceInAccount finds a contact inbox by source_id in any
// inbox of the account (POST /conversations with source_id but no inbox_id).
func (q *Queries) ContactInboxBySourceInAccount(ctx context.Context, accountID int64, sourceID string) (*criachat.ContactInbox, error) {
	var s contactInboxScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+contactInboxColumns+` FROM contact_inboxes ci
		WHERE ci.account_id = ? AND ci.source_id = ? ORDER BY ci.id LIMIT 1`, accountID, sourceID), "contact inbox", s.dest()...); err != nil {
		return nil, err
	}
	return s.contactInbox(), nil
}

// ContactInboxOf returns a contact's first contact inbox in an inbox.
func (q *Queries) ContactInboxOf(ctx context.Context, accountID, contactID, inboxID int64) (*criachat.ContactInbox, error) {
	var s contactInboxScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+contactInboxColumns+` FROM contact_inboxes ci
		WHERE ci.account_id = ? AND ci.contact_id = ? AND ci.inbox_id = ? ORDER BY ci.id LIMIT 1`, accountID, contactID, inboxID),
		"contact inbox", s.dest()...); err != nil {
		return nil, err
	}
	return s.contactInbox(), nil
}
