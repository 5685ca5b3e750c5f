package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/criachat/criachat/internal/criachat"
)

const contactInboxColumns = `ci.id, ci.account_id, ci.contact_id, ci.inbox_id, ci.source_id, ci.hmac_verified,
	ci.pubsub_token, ci.created_at, ci.updated_at`

type contactInboxScan struct {
	ci               criachat.ContactInbox
	created, updated int64
}

func (s *contactInboxScan) dest() []any {
	ci := &s.ci
	return []any{&ci.ID, &ci.AccountID, &ci.ContactID, &ci.InboxID, &ci.SourceID, &ci.HMACVerified, &ci.PubsubToken,
		&s.created, &s.updated}
}

func (s *contactInboxScan) contactInbox() *criachat.ContactInbox {
	ci := s.ci
	ci.CreatedAt, ci.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &ci
}

// ContactInboxWithInbox is a contact inbox with its inbox loaded.
type ContactInboxWithInbox struct {
	*criachat.ContactInbox
	Inbox *criachat.Inbox
}

// CreateContactInbox validates and inserts a contact inbox. The contact and
// the inbox must belong to ci.AccountID (ENOTFOUND otherwise); a source_id the
// inbox already has is ECONFLICT "Source has already been taken".
func (q *Queries) CreateContactInbox(ctx context.Context, ci *criachat.ContactInbox) error {
	if err := ci.Validate(); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	ci.CreatedAt, ci.UpdatedAt = now, now
	// ON CONFLICT DO NOTHING: a taken source_id must not abort the
	// transaction on PostgreSQL (a contact created with it rolls back anyway).
	err := q.queryRow(ctx, `INSERT INTO contact_inboxes (account_id, contact_id, inbox_id, source_id, hmac_verified,
		pubsub_token, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		ci.AccountID, ci.ContactID, ci.InboxID, ci.SourceID, ci.HMACVerified, ci.PubsubToken, micros(now), micros(now)).Scan(&ci.ID)
	switch err = q.d.translate(err); {
	case errors.Is(err, sql.ErrNoRows):
		return &criachat.Error{Code: criachat.ECONFLICT, Message: criachat.MsgSourceTaken, Attributes: []string{"source_id"}}
	case errors.Is(err, ErrForeignKey):
		return &criachat.Error{Code: criachat.ENOTFOUND, Message: "contact or inbox not found", Err: err}
	}
	return err
}

// ContactInboxBySource returns the contact inbox of an inbox of the account with the source_id.
func (q *Queries) ContactInboxBySource(ctx context.Context, accountID, inboxID int64, sourceID string) (*criachat.ContactInbox, error) {
	var s contactInboxScan
	row := q.queryRow(ctx, `SELECT `+contactInboxColumns+` FROM contact_inboxes ci
		WHERE ci.account_id = ? AND ci.inbox_id = ? AND ci.source_id = ?`, accountID, inboxID, sourceID)
	if err := q.scanOne(row, "contact inbox", s.dest()...); err != nil {
		return nil, err
	}
	return s.contactInbox(), nil
}

// ContactInboxesOf returns the contact inboxes of the account's contacts
// among contactIDs with their inboxes, oldest first, in one query (a page of
// contacts costs one statement, not one per contact).
func (q *Queries) ContactInboxesOf(ctx context.Context, accountID int64, contactIDs []int64) ([]ContactInboxWithInbox, error) {
	out := []ContactInboxWithInbox{}
	if len(contactIDs) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, `SELECT `+contactInboxColumns+`, `+inboxColumns+` FROM contact_inboxes ci
		JOIN inboxes i ON i.account_id = ci.account_id AND i.id = ci.inbox_id
		WHERE ci.account_id = ? AND ci.contact_id IN (`+q.d.idSet()+`) ORDER BY ci.id`, accountID, jsonList(contactIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cs contactInboxScan
		var is inboxScan
		if err := rows.Scan(append(cs.dest(), is.dest()...)...); err != nil {
			return nil, q.d.translate(err)
		}
		out = append(out, ContactInboxWithInbox{ContactInbox: cs.contactInbox(), Inbox: is.inbox()})
	}
	return out, q.d.translate(rows.Err())
}
