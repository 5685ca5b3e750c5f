package store

import (
	"context"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// ConversationFilter selects conversations for the list endpoints (reference §3.5).
type ConversationFilter struct {
	AccountID int64
	UserID    int64 // the caller: "mine" and assignee_type=me
	// MemberOnly restricts to inboxes the caller is a member of (agents, §2.6).
	MemberOnly   bool
	Status       string // "" = open, "all" = any
	AssigneeType string // me | unassigned | assigned | anything else = all
	InboxID      int64
	TeamID       int64
	ContactID    int64
	Labels       []string // any of
	// IDs restricts to these conversations (message search results); nil = no restriction.
	IDs []int64
	// SourceID keeps the conversations of the contact inboxes with this source_id.
	SourceID string
	// Type is conversation_type: "participating" (the caller is a
	// participant), "unattended" (no first reply yet, or waiting for one) or
	// "mention" (the caller was mentioned in a private note); anything else
	// is ignored. Like Chatwoot's ConversationFinder, it narrows the other
	// filters (status, inbox visibility, …), which still apply.
	Type string
	// Filter keeps the conversations matching a validated §6.5 filter.
	Filter        *criachat.ConversationFilter
	UpdatedSince  *time.Time
	Sort          string
	Page, PerPage int // PerPage 0 = no paging (updated_within returns everything)
}

// ConversationCounts are the meta counts of the conversation list, computed
// before the assignee_type filter as Chatwoot does.
type ConversationCounts struct {
	Mine, Assigned, Unassigned, All int64
}

var conversationSorts = map[string]string{
	"last_activity_at_desc":        "c.last_activity_at DESC, c.id DESC",
	"latest":                       "c.last_activity_at DESC, c.id DESC",
	"last_activity_at_asc":         "c.last_activity_at ASC, c.id ASC",
	"created_at_desc":              "c.created_at DESC, c.id DESC",
	"created_at_asc":               "c.created_at ASC, c.id ASC",
	"sort_on_created_at":           "c.created_at ASC, c.id ASC",
	"priority_desc":                priorityRank + " DESC, c.last_activity_at DESC",
	"sort_on_priority":             priorityRank + " DESC, c.last_activity_at DESC",
	"priority_asc":                 priorityRank + " ASC, c.last_activity_at DESC",
	"priority_desc_created_at_asc": priorityRank + " DESC, c.created_at ASC",
	"waiting_since_asc":            "CASE WHEN c.waiting_since IS NULL THEN 1 ELSE 0 END, c.waiting_since ASC, c.id ASC",
	"sort_on_waiting_since":        "CASE WHEN c.waiting_since IS NULL THEN 1 ELSE 0 END, c.waiting_since ASC, c.id ASC",
	"waiting_since_desc":           "CASE WHEN c.waiting_since IS NULL THEN 1 ELSE 0 END, c.waiting_since DESC, c.id DESC",
	"unread":                       "c.last_activity_at DESC, c.id DESC",
	"":                             "c.last_activity_at DESC, c.id DESC",
}

const priorityRank = `CASE c.priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 WHEN 'low' THEN 0 ELSE -1 END`

// ValidConversationSort reports whether sort_by is known.
func ValidConversationSort(s string) bool { _, ok := conversationSorts[s]; return ok }

// where writes the filter's WHERE clause without the assignee filter. The
// text depends only on which filters are set, never on values (id and label
// lists are one JSON-array parameter each), except for Filter, whose text is
// built from its conditions and leaves s.fixed false.
func (f *ConversationFilter) where(q *Queries, s *sqlText) {
	idSet, textSet := q.d.idSet(), q.d.textSet()
	s.add("c.account_id = ?", f.AccountID)
	switch f.Status {
	case "all":
	case "":
		s.add(" AND c.status = ?", criachat.StatusOpen)
	default:
		s.add(" AND c.status = ?", f.Status)
	}
	if f.MemberOnly {
		s.add(" AND c.inbox_id IN (SELECT im.inbox_id FROM inbox_members im WHERE im.user_id = ?)", f.UserID)
	}
	if f.InboxID != 0 {
		s.add(" AND c.inbox_id = ?", f.InboxID)
	}
	if f.TeamID != 0 {
		s.add(" AND c.team_id = ?", f.TeamID)
	}
	if f.ContactID != 0 {
		s.add(" AND c.contact_id = ?", f.ContactID)
	}
	if len(f.Labels) > 0 {
		s.add(" AND EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label IN ("+textSet+"))",
			jsonList(criachat.NormalizeLabels(f.Labels)))
	}
	if f.IDs != nil {
		s.add(" AND c.id IN ("+idSet+")", jsonList(f.IDs))
	}
	if f.UpdatedSince != nil {
		s.add(" AND c.updated_at >= ?", micros(*f.UpdatedSince))
	}
	if f.SourceID != "" {
		s.add(" AND c.contact_inbox_id IN (SELECT ci.id FROM contact_inboxes ci WHERE ci.account_id = ? AND ci.source_id = ?)",
			f.AccountID, f.SourceID)
	}
	switch f.Type {
	case "participating":
		s.add(" AND c.id IN (SELECT cp.conversation_id FROM conversation_participants cp WHERE cp.user_id = ?)", f.UserID)
	case "unattended":
		s.add(" AND (c.first_reply_created_at IS NULL OR c.waiting_since IS NOT NULL)")
	case "mention":
		s.add(" AND c.id IN (SELECT mn.conversation_id FROM mentions mn WHERE mn.account_id = ? AND mn.user_id = ?)",
			f.AccountID, f.UserID)
	}
	q.conversationFilterWhere(s, f.AccountID, f.Filter)
}

// ListConversations returns one page of conversations and the meta counts.
func (q *Queries) ListConversations(ctx context.Context, f ConversationFilter) ([]*criachat.Conversation, ConversationCounts, error) {
	var counts ConversationCounts
	s := &sqlText{fixed: true}
	f.where(q, s)
	run := q.query
	if !s.fixed {
		run = q.queryDynamic
	}
	where, args := s.b.String(), s.args
	rows, err := run(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN c.assignee_id = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN c.assignee_id IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM conversations c WHERE `+where, append([]any{f.UserID}, args...)...)
	if err != nil {
		return nil, counts, err
	}
	for rows.Next() {
		if err := rows.Scan(&counts.All, &counts.Mine, &counts.Assigned); err != nil {
			rows.Close()
			return nil, counts, q.d.translate(err)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, counts, err
	}
	if err := rows.Err(); err != nil {
		return nil, counts, q.d.translate(err)
	}
	counts.Unassigned = counts.All - counts.Assigned
	switch f.AssigneeType {
	case "me":
		where += " AND c.assignee_id = ?"
		args = append(args, f.UserID)
	case "unassigned":
		where += " AND c.assignee_id IS NULL"
	case "assigned":
		where += " AND c.assignee_id IS NOT NULL"
	}
	order, ok := conversationSorts[f.Sort]
	if !ok {
		order = conversationSorts[""]
	}
	query := `SELECT ` + conversationColumns + ` FROM conversations c WHERE ` + where + ` ORDER BY ` + order
	if f.PerPage > 0 {
		page := max(f.Page, 1)
		query += " LIMIT ? OFFSET ?"
		args = append(args, f.PerPage, (page-1)*f.PerPage)
	}
	rows, err = run(ctx, query, args...)
	if err != nil {
		return nil, counts, err
	}
	defer rows.Close()
	var out []*criachat.Conversation
	for rows.Next() {
		var s conversationScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, counts, err
		}
		out = append(out, s.conversation())
	}
	return out, counts, rows.Err()
}
