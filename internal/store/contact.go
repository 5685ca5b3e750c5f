package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/criachat/criachat/internal/criachat"
)

const contactColumns = `c.id, c.account_id, c.name, c.email, c.phone_number, c.identifier, c.blocked,
	c.additional_attributes, c.custom_attributes, c.contact_type, c.last_activity_at, c.created_at, c.updated_at`

type contactScan struct {
	c                        criachat.Contact
	email, phone, identifier sql.NullString
	additional, custom       []byte
	lastActivity             sql.NullInt64
	created, updated         int64
}

func (s *contactScan) dest() []any {
	return []any{&s.c.ID, &s.c.AccountID, &s.c.Name, &s.email, &s.phone, &s.identifier, &s.c.Blocked,
		&s.additional, &s.custom, &s.c.ContactType, &s.lastActivity, &s.created, &s.updated}
}

func (s *contactScan) contact() *criachat.Contact {
	c := s.c
	c.Email, c.PhoneNumber, c.Identifier = s.email.String, s.phone.String, s.identifier.String
	c.AdditionalAttributes = jsonMap[any](s.additional)
	c.CustomAttributes = jsonMap[any](s.custom)
	c.LastActivityAt = optTime(s.lastActivity)
	c.CreatedAt, c.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &c
}

// checkContact validates c, checking its email, identifier and phone number
// are free in the account.
func (q *Queries) checkContact(ctx context.Context, c *criachat.Contact) error {
	var taken criachat.Taken
	if c.Email != "" || c.Identifier != "" || c.PhoneNumber != "" {
		rows, err := q.query(ctx, `SELECT c.email, c.identifier, c.phone_number FROM contacts c
			WHERE c.account_id = ? AND c.id <> ? AND (c.email = ? OR c.identifier = ? OR c.phone_number = ?)`,
			c.AccountID, c.ID, emptyNull(c.Email), emptyNull(c.Identifier), emptyNull(c.PhoneNumber))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var email, identifier, phone sql.NullString
			if err := rows.Scan(&email, &identifier, &phone); err != nil {
				return err
			}
			taken.Email = taken.Email || c.Email != "" && email.String == c.Email
			taken.Identifier = taken.Identifier || c.Identifier != "" && identifier.String == c.Identifier
			taken.PhoneNumber = taken.PhoneNumber || c.PhoneNumber != "" && phone.String == c.PhoneNumber
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return c.Validate(taken)
}

// contactTaken is the error for a unique violation that slipped past
// checkContact (a concurrent write on PostgreSQL): it names the unique
// attributes the contact sets.
func contactTaken(c *criachat.Contact, err error) error {
	verr := c.Validate(criachat.Taken{Email: c.Email != "", Identifier: c.Identifier != "", PhoneNumber: c.PhoneNumber != ""})
	var e *criachat.Error
	if errors.As(verr, &e) {
		e.Err = err
		return e
	}
	return err
}

// CreateContact validates and inserts c. A taken email, identifier or phone
// number is ECONFLICT with Chatwoot's RecordInvalid message.
func (q *Queries) CreateContact(ctx context.Context, c *criachat.Contact) error {
	c.Normalize()
	if err := q.checkContact(ctx, c); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	c.CreatedAt, c.UpdatedAt = now, now
	// ON CONFLICT DO NOTHING keeps a concurrent duplicate from aborting the
	// transaction on PostgreSQL; no row back means one won the race.
	err := q.queryRow(ctx, `INSERT INTO contacts (account_id, name, email, phone_number, identifier, blocked,
		additional_attributes, custom_attributes, contact_type, last_activity_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		c.AccountID, c.Name, emptyNull(c.Email), emptyNull(c.PhoneNumber), emptyNull(c.Identifier), c.Blocked,
		jsonText(c.AdditionalAttributes), jsonText(c.CustomAttributes), c.ContactType, nullMicros(c.LastActivityAt),
		micros(now), micros(now)).Scan(&c.ID)
	switch err = q.d.translate(err); {
	case errors.Is(err, sql.ErrNoRows):
		if cerr := q.checkContact(ctx, c); cerr != nil {
			return cerr
		}
		return contactTaken(c, err)
	case errors.Is(err, ErrForeignKey):
		return &criachat.Error{Code: criachat.ENOTFOUND, Message: "account not found", Err: err}
	}
	return err
}

// Contact returns a contact of the account.
func (q *Queries) Contact(ctx context.Context, accountID, id int64) (*criachat.Contact, error) {
	var s contactScan
	row := q.queryRow(ctx, `SELECT `+contactColumns+` FROM contacts c WHERE c.account_id = ? AND c.id = ?`, accountID, id)
	if err := q.scanOne(row, "contact", s.dest()...); err != nil {
		return nil, err
	}
	return s.contact(), nil
}

// UpdateContact validates and saves every field of c.
func (q *Queries) UpdateContact(ctx context.Context, c *criachat.Contact) error {
	c.Normalize()
	if err := q.checkContact(ctx, c); err != nil {
		return err
	}
	c.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE contacts SET name = ?, email = ?, phone_number = ?, identifier = ?, blocked = ?,
		additional_attributes = ?, custom_attributes = ?, contact_type = ?, last_activity_at = ?, updated_at = ?
		WHERE account_id = ? AND id = ?`,
		c.Name, emptyNull(c.Email), emptyNull(c.PhoneNumber), emptyNull(c.Identifier), c.Blocked,
		jsonText(c.AdditionalAttributes), jsonText(c.CustomAttributes), c.ContactType, nullMicros(c.LastActivityAt),
		micros(c.UpdatedAt), c.AccountID, c.ID)
	if errors.Is(err, ErrUnique) {
		return contactTaken(c, err)
	} else if err != nil {
		return err
	}
	return affectedOne(res, "contact")
}

// DeleteContact deletes a contact with its labels, notes and contact inboxes.
func (q *Queries) DeleteContact(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM contacts WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return err
	}
	return affectedOne(res, "contact")
}

// ContactLabels returns a contact's label titles in the order they were set.
func (q *Queries) ContactLabels(ctx context.Context, accountID, contactID int64) ([]string, error) {
	rows, err := q.query(ctx, `SELECT title FROM contact_labels WHERE account_id = ? AND contact_id = ? ORDER BY position, title`,
		accountID, contactID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SetContactLabels replaces a contact's labels with the given titles
// (normalized: trimmed, lowercased, each once) and returns them.
func (q *Queries) SetContactLabels(ctx context.Context, accountID, contactID int64, labels []string) ([]string, error) {
	labels = criachat.NormalizeLabels(labels)
	if err := criachat.ValidateLabels(labels); err != nil {
		return nil, err
	}
	if _, err := q.Contact(ctx, accountID, contactID); err != nil {
		return nil, err
	}
	if _, err := q.exec(ctx, `DELETE FROM contact_labels WHERE account_id = ? AND contact_id = ?`, accountID, contactID); err != nil {
		return nil, err
	}
	for i, t := range labels {
		if _, err := q.exec(ctx, `INSERT INTO contact_labels (account_id, contact_id, title, position) VALUES (?, ?, ?, ?)`,
			accountID, contactID, t, i); err != nil {
			return nil, err
		}
	}
	return labels, nil
}

// MergeContacts merges the mergee into the base contact (reference §9.7,
// Chatwoot's ContactMergeAction): the mergee's contact inboxes, notes and
// labels move to the base, its attributes fill what the base lacks (the base
// wins where both have a value), and the mergee is deleted. Both must belong
// to the account. It returns the updated base.
func (q *Queries) MergeContacts(ctx context.Context, accountID, baseID, mergeeID int64) (*criachat.Contact, error) {
	base, err := q.Contact(ctx, accountID, baseID)
	if err != nil {
		return nil, err
	}
	if baseID == mergeeID {
		return nil, criachat.Errorf(criachat.EINVALID, "A contact cannot be merged into itself")
	}
	mergee, err := q.Contact(ctx, accountID, mergeeID)
	if err != nil {
		return nil, err
	}
	for _, stmt := range mergeStatements {
		if _, err := q.exec(ctx, stmt, baseID, accountID, mergeeID); err != nil {
			return nil, err
		}
	}
	// Labels: the union, the base's first. ON CONFLICT skips titles both have.
	if _, err := q.exec(ctx, `INSERT INTO contact_labels (account_id, contact_id, title, position)
		SELECT account_id, ?, title, position + 1000000 FROM contact_labels WHERE account_id = ? AND contact_id = ?
		ON CONFLICT DO NOTHING`, baseID, accountID, mergeeID); err != nil {
		return nil, err
	}
	// The mergee goes first, so that the base can take its email, phone number
	// or identifier without breaking uniqueness.
	if err := q.DeleteContact(ctx, accountID, mergeeID); err != nil {
		return nil, err
	}
	criachat.MergeInto(base, mergee)
	if err := q.UpdateContact(ctx, base); err != nil {
		return nil, err
	}
	return base, nil
}

// mergeStatements move the records that belong to a contact from the mergee
// (third argument) to the base (first argument) within the account (second).
var mergeStatements = []string{
	`UPDATE contact_inboxes SET contact_id = ? WHERE account_id = ? AND contact_id = ?`,
	`UPDATE notes SET contact_id = ? WHERE account_id = ? AND contact_id = ?`,
	`UPDATE conversations SET contact_id = ? WHERE account_id = ? AND contact_id = ?`,
	`UPDATE messages SET sender_id = ? WHERE account_id = ? AND sender_type = 'Contact' AND sender_id = ?`,
}
