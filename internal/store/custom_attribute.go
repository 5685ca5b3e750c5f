package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/criachat/criachat/internal/criachat"
)

const customAttributeColumns = `d.id, d.account_id, d.attribute_display_name, d.attribute_display_type,
	d.attribute_description, d.attribute_key, d.regex_pattern, d.regex_cue, d.attribute_values, d.attribute_model,
	d.created_at, d.updated_at`

type customAttributeScan struct {
	d                         criachat.CustomAttributeDefinition
	description, pattern, cue sql.NullString
	values                    []byte
	created, updated          int64
}

func (s *customAttributeScan) dest() []any {
	return []any{&s.d.ID, &s.d.AccountID, &s.d.DisplayName, &s.d.DisplayType, &s.description, &s.d.Key,
		&s.pattern, &s.cue, &s.values, &s.d.Model, &s.created, &s.updated}
}

func (s *customAttributeScan) definition() *criachat.CustomAttributeDefinition {
	d := s.d
	d.Description, d.RegexPattern, d.RegexCue = optString(s.description), optString(s.pattern), optString(s.cue)
	d.Values = []string{}
	if len(s.values) > 0 {
		_ = json.Unmarshal(s.values, &d.Values) // a broken document reads as empty
	}
	d.CreatedAt, d.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &d
}

// attributeKeyTaken is Chatwoot's RecordInvalid error for a key the model already uses.
func attributeKeyTaken(err error) error {
	if errors.Is(err, ErrUnique) {
		return &criachat.Error{Code: criachat.ECONFLICT, Message: "Attribute key has already been taken", Attributes: []string{"attribute_key"}, Err: err}
	}
	return err
}

func valuesText(v []string) string {
	if v == nil {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// CreateCustomAttributeDefinition validates and inserts d. A key the account
// already uses for the same model is ECONFLICT.
func (q *Queries) CreateCustomAttributeDefinition(ctx context.Context, d *criachat.CustomAttributeDefinition) error {
	d.Normalize()
	if err := d.Validate(true); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	d.CreatedAt, d.UpdatedAt = now, now
	err := q.queryRow(ctx, `INSERT INTO custom_attribute_definitions (account_id, attribute_display_name,
		attribute_display_type, attribute_description, attribute_key, regex_pattern, regex_cue, attribute_values,
		attribute_model, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.AccountID, d.DisplayName, d.DisplayType, nullable(d.Description), d.Key, nullable(d.RegexPattern),
		nullable(d.RegexCue), valuesText(d.Values), d.Model, micros(now), micros(now)).Scan(&d.ID)
	return attributeKeyTaken(q.d.translate(err))
}

// CustomAttributeDefinition returns one of an account's definitions.
func (q *Queries) CustomAttributeDefinition(ctx context.Context, accountID, id int64) (*criachat.CustomAttributeDefinition, error) {
	var s customAttributeScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+customAttributeColumns+` FROM custom_attribute_definitions d
		WHERE d.account_id = ? AND d.id = ?`, accountID, id), "custom attribute definition", s.dest()...); err != nil {
		return nil, err
	}
	return s.definition(), nil
}

// CustomAttributeDefinitions lists an account's definitions by id, of one
// model, or of every model when model is "".
func (q *Queries) CustomAttributeDefinitions(ctx context.Context, accountID int64, model criachat.AttributeModel) ([]*criachat.CustomAttributeDefinition, error) {
	rows, err := q.query(ctx, `SELECT `+customAttributeColumns+` FROM custom_attribute_definitions d
		WHERE d.account_id = ? AND (? = '' OR d.attribute_model = ?) ORDER BY d.id`, accountID, string(model), string(model))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.CustomAttributeDefinition{}
	for rows.Next() {
		var s customAttributeScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		out = append(out, s.definition())
	}
	return out, rows.Err()
}

// CustomAttributeKeys lists the attribute keys an account defined for a
// model, by id: the custom part of the filter vocabulary (reference §6.5).
func (q *Queries) CustomAttributeKeys(ctx context.Context, accountID int64, model criachat.AttributeModel) ([]string, error) {
	rows, err := q.query(ctx, `SELECT attribute_key FROM custom_attribute_definitions
		WHERE account_id = ? AND attribute_model = ? ORDER BY id`, accountID, string(model))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// UpdateCustomAttributeDefinition validates and saves every field of d.
func (q *Queries) UpdateCustomAttributeDefinition(ctx context.Context, d *criachat.CustomAttributeDefinition) error {
	d.Normalize()
	if err := d.Validate(false); err != nil {
		return err
	}
	d.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE custom_attribute_definitions SET attribute_display_name = ?, attribute_display_type = ?,
		attribute_description = ?, attribute_key = ?, regex_pattern = ?, regex_cue = ?, attribute_values = ?,
		attribute_model = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		d.DisplayName, d.DisplayType, nullable(d.Description), d.Key, nullable(d.RegexPattern), nullable(d.RegexCue),
		valuesText(d.Values), d.Model, micros(d.UpdatedAt), d.AccountID, d.ID)
	if err != nil {
		return attributeKeyTaken(err)
	}
	return affectedOne(res, "custom attribute definition")
}

// DeleteCustomAttributeDefinition deletes one of an account's definitions.
// Values already stored on conversations and contacts stay, as in Chatwoot.
func (q *Queries) DeleteCustomAttributeDefinition(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM custom_attribute_definitions WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return err
	}
	return affectedOne(res, "custom attribute definition")
}
