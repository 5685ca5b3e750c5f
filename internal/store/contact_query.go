package store

import (
	"context"
	"strings"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// ContactQuery selects contacts of an account for the list, search and filter
// endpoints. The zero values select everything.
type ContactQuery struct {
	AccountID int64
	// Identifiable keeps only contacts with an email, phone number or
	// identifier (Chatwoot's resolved_contacts, reference §9.6).
	Identifiable bool
	// Labels keeps contacts with any of these labels (lowercased titles).
	Labels []string
	// Search keeps contacts whose name, email, phone number or identifier
	// contains it, case-insensitively.
	Search string
	// Filter keeps contacts matching a validated filter (reference §6.5).
	Filter *criachat.ContactFilter
	// Sort is one of ContactSortKeys, with a "-" prefix for descending order.
	// Empty or unknown keys order by id, as Chatwoot's Sift ignores them.
	Sort string
	// Offset and Limit page the result; Limit 0 means no limit (and no offset).
	Offset, Limit int
}

// ContactSortKeys are the sort keys of the contacts endpoints (reference §3.4).
var ContactSortKeys = []string{"email", "name", "phone_number", "last_activity_at", "created_at", "company_name", "city", "country"}

// sqlText accumulates a statement and its arguments. fixed stays true while
// the text comes from a bounded set of shapes, so the statement may be cached.
type sqlText struct {
	b     strings.Builder
	args  []any
	fixed bool
}

func (s *sqlText) add(text string, args ...any) {
	s.b.WriteString(text)
	s.args = append(s.args, args...)
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	return valueRows(n, "?")
}

// escapeLike escapes LIKE's wildcards so that a value matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// like is the LIKE clause for a pattern built with escapeLike.
const like = ` LIKE ? ESCAPE '\'`

// contactWhere writes the FROM and WHERE clauses of cq.
func (q *Queries) contactWhere(s *sqlText, cq ContactQuery) {
	s.add(` FROM contacts c WHERE c.account_id = ?`, cq.AccountID)
	if cq.Identifiable {
		s.add(` AND (c.email IS NOT NULL OR c.phone_number IS NOT NULL OR c.identifier IS NOT NULL)`)
	}
	if len(cq.Labels) > 0 {
		s.fixed = false
		s.add(` AND EXISTS (SELECT 1 FROM contact_labels l WHERE l.contact_id = c.id AND l.title IN (`+placeholders(len(cq.Labels))+`))`,
			anySlice(cq.Labels)...)
	}
	if cq.Search != "" {
		p := "%" + escapeLike(strings.ToLower(cq.Search)) + "%"
		s.add(` AND (LOWER(c.name)`+like+` OR LOWER(c.email)`+like+` OR LOWER(c.phone_number)`+like+
			` OR LOWER(c.identifier)`+like+`)`, p, p, p, p)
	}
	if cq.Filter != nil && len(cq.Filter.Conditions) > 0 {
		s.fixed = false
		s.add(` AND (`)
		for i, cond := range cq.Filter.Conditions {
			if i > 0 {
				if cq.Filter.Conditions[i-1].Or {
					s.add(` OR `)
				} else {
					s.add(` AND `)
				}
			}
			s.add(`(`)
			q.contactCondition(s, cond)
			s.add(`)`)
		}
		s.add(`)`)
	}
}

func anySlice[T any](v []T) []any {
	out := make([]any, len(v))
	for i := range v {
		out[i] = v[i]
	}
	return out
}

// labelsCondition writes a label condition of a filter: sub is an open
// "EXISTS (SELECT 1 FROM … WHERE …" over the record's labels, col their title column.
func labelsCondition(s *sqlText, sub, col string, op criachat.FilterOp, labels []string) {
	switch op {
	case criachat.OpEqualTo:
		s.add(sub+` AND `+col+` IN (`+placeholders(len(labels))+`))`, anySlice(labels)...)
	case criachat.OpNotEqualTo:
		s.add(`NOT `+sub+` AND `+col+` IN (`+placeholders(len(labels))+`))`, anySlice(labels)...)
	case criachat.OpIsPresent:
		s.add(sub + `)`)
	default: // is_not_present
		s.add(`NOT ` + sub + `)`)
	}
}

// dayCondition writes a date comparison of a filter. Chatwoot compares
// col::date with the day: after the day means from the next midnight on;
// before it, until its midnight.
func dayCondition(s *sqlText, col string, op criachat.FilterOp, day time.Time) {
	if op == criachat.OpIsGreaterThan {
		s.add(col+` >= ?`, micros(day.AddDate(0, 0, 1)))
	} else {
		s.add(col+` < ?`, micros(day))
	}
}

// contactCondition writes one filter condition. Column names come from the
// fixed vocabulary of criachat.ContactField; every value is an argument.
func (q *Queries) contactCondition(s *sqlText, c criachat.ContactCondition) {
	switch c.Field {
	case criachat.FieldLabels:
		labelsCondition(s, `EXISTS (SELECT 1 FROM contact_labels l WHERE l.contact_id = c.id`, "l.title", c.Op, c.Labels)
		return
	case criachat.FieldCreatedAt, criachat.FieldLastActivityAt:
		col := "c.created_at"
		if c.Field == criachat.FieldLastActivityAt {
			col = "c.last_activity_at"
		}
		dayCondition(s, col, c.Op, c.Time)
		return
	case criachat.FieldBlocked:
		s.add(`c.blocked `+eqOp(c.Op)+` ?`, c.Bool)
		return
	}

	// Text columns and JSON attributes.
	var expr string
	var exprArgs []any
	custom := c.Field == criachat.FieldCustom
	switch c.Field {
	case criachat.FieldName, criachat.FieldEmail, criachat.FieldIdentifier:
		expr = "LOWER(c." + string(c.Field) + ")"
	case criachat.FieldPhoneNumber:
		expr = "c.phone_number"
	case criachat.FieldCountryCode, criachat.FieldCity, criachat.FieldCompanyName:
		e, a := q.d.jsonValue("c.additional_attributes", string(c.Field), jsonAsText)
		expr, exprArgs = "LOWER("+e+")", a
	default: // custom attribute
		kind := jsonAsText
		switch {
		case c.Op == criachat.OpContains || c.Op == criachat.OpDoesNotContain || c.Op == criachat.OpStartsWith ||
			c.Op == criachat.OpIsPresent || c.Op == criachat.OpIsNotPresent:
		case c.Type == criachat.AttrNumber:
			kind = jsonAsNumber
		case c.Type == criachat.AttrBoolean:
			kind = jsonAsBool
		}
		e, a := q.d.jsonValue("c.custom_attributes", c.CustomKey, kind)
		expr, exprArgs = e, a
		switch {
		case kind == jsonAsText && c.Type == criachat.AttrDate && c.Op != criachat.OpIsPresent && c.Op != criachat.OpIsNotPresent &&
			c.Op != criachat.OpContains && c.Op != criachat.OpDoesNotContain && c.Op != criachat.OpStartsWith:
			expr = "SUBSTR(" + e + ", 1, 10)" // dates compare by day, as ::date does
		case kind == jsonAsText:
			expr = "LOWER(" + e + ")"
		}
	}
	val := func() any {
		switch {
		case custom && c.Type == criachat.AttrNumber:
			return c.Number
		case custom && c.Type == criachat.AttrBoolean:
			return c.Bool
		case custom && c.Type == criachat.AttrDate:
			return c.Time.Format(time.DateOnly)
		}
		return c.Text
	}
	switch c.Op {
	case criachat.OpEqualTo:
		s.add(expr+` = ?`, append(exprArgs, val())...)
	case criachat.OpNotEqualTo:
		s.add(expr+` <> ?`, append(exprArgs, val())...)
		if custom { // Chatwoot: a missing custom attribute is "not equal" too
			s.add(` OR `+expr+` IS NULL`, exprArgs...)
		}
	case criachat.OpContains, criachat.OpDoesNotContain, criachat.OpStartsWith:
		if c.Op == criachat.OpDoesNotContain {
			s.add(`NOT `)
		}
		s.add(`(`)
		for i, p := range c.Patterns {
			if i > 0 {
				s.add(` OR `)
			}
			pattern := "%" + escapeLike(strings.ToLower(p)) + "%"
			if c.Op == criachat.OpStartsWith {
				pattern = escapeLike(strings.ToLower(p)) + "%"
			}
			lhs := expr
			if !strings.HasPrefix(expr, "LOWER(") {
				lhs = "LOWER(" + expr + ")"
			}
			s.add(lhs+like, append(append([]any{}, exprArgs...), pattern)...)
		}
		s.add(`)`)
	case criachat.OpIsPresent:
		s.add(expr+` IS NOT NULL`, exprArgs...)
	case criachat.OpIsNotPresent:
		s.add(expr+` IS NULL`, exprArgs...)
	case criachat.OpIsGreaterThan:
		s.add(expr+` > ?`, append(exprArgs, val())...)
	case criachat.OpIsLessThan:
		s.add(expr+` < ?`, append(exprArgs, val())...)
	default:
		s.add(`FALSE`) // ParseContactFilter admits no other operator
	}
}

func eqOp(op criachat.FilterOp) string {
	if op == criachat.OpNotEqualTo {
		return "<>"
	}
	return "="
}

// contactOrder writes the ORDER BY clause for a sort key (Chatwoot's Sift
// sorts and order_on_* scopes: NULLs last for dates and attributes).
func (q *Queries) contactOrder(s *sqlText, sortKey string) {
	dir, desc := "ASC", strings.HasPrefix(sortKey, "-")
	if desc {
		dir = "DESC"
	}
	key := strings.TrimPrefix(sortKey, "-")
	switch key {
	case "email", "phone_number":
		nulls := " NULLS LAST"
		if desc {
			nulls = " NULLS FIRST" // PostgreSQL's default for a plain ORDER BY … DESC
		}
		s.add(` ORDER BY c.` + key + ` ` + dir + nulls)
	case "name":
		s.add(` ORDER BY LOWER(c.name) ` + dir)
	case "last_activity_at", "created_at":
		s.add(` ORDER BY c.` + key + ` ` + dir + ` NULLS LAST`)
	case "company_name", "city", "country":
		e, a := q.d.jsonValue("c.additional_attributes", key, jsonAsText)
		s.add(` ORDER BY `+e+` `+dir+` NULLS LAST`, a...)
	default:
		s.add(` ORDER BY c.id ASC`)
		return
	}
	s.add(`, c.id ` + dir)
}

// Contacts returns the contacts cq selects, in its order and page.
func (q *Queries) Contacts(ctx context.Context, cq ContactQuery) ([]*criachat.Contact, error) {
	s := &sqlText{fixed: true}
	s.add(`SELECT ` + contactColumns)
	q.contactWhere(s, cq)
	q.contactOrder(s, cq.Sort)
	if cq.Limit > 0 {
		s.add(` LIMIT ? OFFSET ?`, cq.Limit, cq.Offset)
	}
	run := q.query
	if !s.fixed {
		run = q.queryDynamic
	}
	rows, err := run(ctx, s.b.String(), s.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.Contact{}
	for rows.Next() {
		var cs contactScan
		if err := rows.Scan(cs.dest()...); err != nil {
			return nil, err
		}
		out = append(out, cs.contact())
	}
	return out, rows.Err()
}

// CountContacts counts the contacts cq selects, ignoring its sort and page.
func (q *Queries) CountContacts(ctx context.Context, cq ContactQuery) (int64, error) {
	s := &sqlText{fixed: true}
	s.add(`SELECT COUNT(*)`)
	q.contactWhere(s, cq)
	run := q.query
	if !s.fixed {
		run = q.queryDynamic
	}
	rows, err := run(ctx, s.b.String(), s.args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}
