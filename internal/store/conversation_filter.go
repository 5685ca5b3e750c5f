package store

import (
	"strings"

	"github.com/criachat/criachat/internal/criachat"
)

// The conversation filter (POST /conversations/filter, reference §6.5) shares
// the contact filter's machinery: sqlText, dialect.jsonValue, LIKE escaping
// and, for custom attributes, contactCondition itself.

// conversationFilterWhere writes " AND (…)" for a validated filter: its
// conditions joined in order by AND or OR, each in parentheses, so SQL's
// precedence (AND before OR) applies as in Chatwoot's string-built query.
func (q *Queries) conversationFilterWhere(s *sqlText, accountID int64, f *criachat.ConversationFilter) {
	if f == nil || len(f.Conditions) == 0 {
		return
	}
	s.fixed = false
	s.add(` AND (`)
	for i, c := range f.Conditions {
		if i > 0 {
			if f.Conditions[i-1].Or {
				s.add(` OR `)
			} else {
				s.add(` AND `)
			}
		}
		s.add(`(`)
		q.conversationCondition(s, accountID, c)
		s.add(`)`)
	}
	s.add(`)`)
}

// conversationIDColumns are the columns of the id keys; the map is the fixed
// vocabulary that column names in the SQL text come from.
var conversationIDColumns = map[criachat.ConversationField]string{
	criachat.ConvAssigneeID: "c.assignee_id", criachat.ConvInboxID: "c.inbox_id", criachat.ConvTeamID: "c.team_id",
	criachat.ConvContactID: "c.contact_id", criachat.ConvDisplayID: "c.display_id", criachat.ConvCampaignID: "c.campaign_id",
}

// conversationCondition writes one condition over the conversation c.
func (q *Queries) conversationCondition(s *sqlText, accountID int64, c criachat.ConversationCondition) {
	switch c.Field {
	case criachat.ConvCustom:
		if !c.OfContact {
			q.contactCondition(s, *c.Custom) // its c.custom_attributes is the conversation's here
			return
		}
		// The contact's attribute: the subquery's alias c (the contact)
		// hides the outer c, so contactCondition's text applies unchanged.
		s.add(`c.contact_id IN (SELECT c.id FROM contacts c WHERE c.account_id = ? AND (`, accountID)
		q.contactCondition(s, *c.Custom)
		s.add(`))`)
		return
	case criachat.ConvLabels:
		labelsCondition(s, `EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id`, "cl.label", c.Op, c.Labels)
		return
	case criachat.ConvCreatedAt, criachat.ConvLastActivityAt:
		col := "c.created_at"
		if c.Field == criachat.ConvLastActivityAt {
			col = "c.last_activity_at"
		}
		dayCondition(s, col, c.Op, c.Time)
		return
	}

	var expr string
	var exprArgs []any
	switch c.Field {
	case criachat.ConvStatus:
		expr = "c.status"
	case criachat.ConvPriority:
		expr = "c.priority"
	case criachat.ConvBrowserLanguage, criachat.ConvConversationLanguage, criachat.ConvReferer, criachat.ConvMailSubject:
		expr, exprArgs = q.d.jsonValue("c.additional_attributes", string(c.Field), jsonAsText)
	default:
		expr = conversationIDColumns[c.Field]
	}
	values := anySlice(c.Texts)
	if c.IDs != nil {
		values = anySlice(c.IDs)
	}
	switch c.Op {
	case criachat.OpEqualTo:
		s.add(expr+` IN (`+placeholders(len(values))+`)`, append(exprArgs, values...)...)
	case criachat.OpNotEqualTo:
		if c.Field == criachat.ConvPriority {
			// Chatwoot's priority is NULL when unset, and NULL NOT IN (…) is not true.
			s.add(`c.priority <> '' AND `)
		}
		s.add(expr+` NOT IN (`+placeholders(len(values))+`)`, append(exprArgs, values...)...)
	case criachat.OpIsPresent:
		s.add(expr + ` IS NOT NULL`)
	case criachat.OpIsNotPresent:
		s.add(expr + ` IS NULL`)
	case criachat.OpContains, criachat.OpDoesNotContain:
		// ILIKE ANY / NOT ILIKE ALL; display_id is compared as text.
		lhs := "LOWER(" + expr + ")"
		if c.Field == criachat.ConvDisplayID {
			lhs = "CAST(c.display_id AS TEXT)"
		}
		if c.Op == criachat.OpDoesNotContain {
			s.add(`NOT `)
		}
		s.add(`(`)
		for i, p := range c.Patterns {
			if i > 0 {
				s.add(` OR `)
			}
			s.add(lhs+like, append(append([]any{}, exprArgs...), "%"+escapeLike(strings.ToLower(p))+"%")...)
		}
		s.add(`)`)
	default:
		s.add(`FALSE`) // ParseConversationFilter admits no other operator
	}
}
