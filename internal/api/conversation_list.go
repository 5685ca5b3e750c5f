package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/store"
)

// conversationsPerPage is Chatwoot's CONVERSATION_RESULTS_PER_PAGE default.
const conversationsPerPage = 25

// conversationFilter reads the list filters of GET /conversations (reference §3.5).
func conversationFilter(r *http.Request) (store.ConversationFilter, error) {
	p := caller(r)
	v := r.URL.Query()
	f := store.ConversationFilter{
		AccountID: p.member.AccountID, UserID: p.user.ID, MemberOnly: !p.member.IsAdmin(),
		Status: v.Get("status"), AssigneeType: v.Get("assignee_type"), Sort: v.Get("sort_by"),
		PerPage: conversationsPerPage, Labels: queryList(v, "labels"),
		Type: v.Get("conversation_type"), SourceID: v.Get("source_id"),
	}
	if f.Status != "" && f.Status != "all" && !criachat.ConversationStatus(f.Status).Valid() {
		return f, criachat.Errorf(criachat.EINVALID, "'%s' is not a valid status", f.Status)
	}
	if !store.ValidConversationSort(f.Sort) {
		return f, criachat.Errorf(criachat.EINVALID, "'%s' is not a valid sort_by", f.Sort)
	}
	var err error
	if f.InboxID, err = queryInt(v.Get("inbox_id")); err != nil {
		return f, err
	}
	if f.TeamID, err = queryInt(v.Get("team_id")); err != nil {
		return f, err
	}
	page, err := queryInt(v.Get("page"))
	if err != nil {
		return f, err
	}
	f.Page = int(max(page, 1))
	if w := v.Get("updated_within"); w != "" {
		secs, err := strconv.ParseInt(w, 10, 64)
		if err != nil || secs < 0 {
			return f, criachat.Errorf(criachat.EINVALID, "updated_within must be a number of seconds")
		}
		since := time.Now().Add(-time.Duration(secs) * time.Second)
		f.UpdatedSince, f.PerPage = &since, 0 // Chatwoot returns every match, unpaginated
	}
	return f, nil
}

// queryList reads a repeated parameter, "labels[]=a&labels[]=b" or "labels=a,b".
func queryList(v map[string][]string, name string) []string {
	out := append([]string{}, v[name+"[]"]...)
	for _, s := range v[name] {
		out = append(out, splitComma(s)...)
	}
	return out
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// queryInt parses an optional numeric query parameter.
func queryInt(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, criachat.Errorf(criachat.EINVALID, "'%s' is not a number", s)
	}
	return n, nil
}

type countsJSON struct {
	MineCount       int64  `json:"mine_count"`
	AssignedCount   *int64 `json:"assigned_count,omitempty"`
	UnassignedCount int64  `json:"unassigned_count"`
	AllCount        int64  `json:"all_count"`
}

func presentCounts(c store.ConversationCounts, withAssigned bool) countsJSON {
	j := countsJSON{MineCount: c.Mine, UnassignedCount: c.Unassigned, AllCount: c.All}
	if withAssigned {
		j.AssignedCount = &c.Assigned
	}
	return j
}

// listConversations is GET /conversations:
// {"data":{"meta":{mine_count,assigned_count,unassigned_count,all_count},"payload":[conversation]}}.
func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) error {
	f, err := conversationFilter(r)
	if err != nil {
		return err
	}
	if q := r.URL.Query().Get("q"); q != "" {
		// Message content search disables the status filter (reference §3.5).
		if f.IDs, err = s.store.Read().SearchConversationsByMessage(r.Context(), f.AccountID, q, 1000); err != nil {
			return err
		}
		f.Status = "all"
	}
	list, counts, err := s.store.Read().ListConversations(r.Context(), f)
	if err != nil {
		return err
	}
	page, err := s.loadConversationPage(r.Context(), f.AccountID, f.UserID, list)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"data": map[string]any{
		"meta": presentCounts(counts, true), "payload": presentAll(list, page.present),
	}})
}

// conversationMeta is GET /conversations/meta: the counts alone.
func (s *Server) conversationMeta(w http.ResponseWriter, r *http.Request) error {
	f, err := conversationFilter(r)
	if err != nil {
		return err
	}
	f.PerPage, f.Page = 1, 1
	_, counts, err := s.store.Read().ListConversations(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"meta": presentCounts(counts, true)})
}

// searchConversations is GET /conversations/search?q=: conversations with a
// message matching q (full-text index over all history), in the compact shape.
func (s *Server) searchConversations(w http.ResponseWriter, r *http.Request) error {
	f, err := conversationFilter(r)
	if err != nil {
		return err
	}
	q := r.URL.Query().Get("q")
	f.Status = "all"
	if f.IDs, err = s.store.Read().SearchConversationsByMessage(r.Context(), f.AccountID, q, 1000); err != nil {
		return err
	}
	list, counts, err := s.store.Read().ListConversations(r.Context(), f)
	if err != nil {
		return err
	}
	page, err := s.loadConversationPage(r.Context(), f.AccountID, f.UserID, list)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(list))
	for _, c := range list {
		contact := map[string]any{"id": c.ContactID, "name": ""}
		if ct, ok := page.contacts[c.ContactID]; ok {
			contact["name"] = ct.Name
		}
		msgs := []any{}
		if m, ok := page.nonActive[c.ID]; ok {
			msgs = append(msgs, map[string]any{"content": m.Content, "id": m.ID, "sender_name": senderName(page.sender(m)),
				"message_type": int(m.MessageType), "created_at": m.CreatedAt.Unix()})
		}
		inbox := map[string]any{"id": c.InboxID, "name": "", "channel_type": ""}
		if in, ok := page.inboxes[c.InboxID]; ok {
			inbox["name"], inbox["channel_type"] = in.Name, in.ChannelType
		}
		out = append(out, map[string]any{"id": c.DisplayID, "uuid": c.UUID, "created_at": c.CreatedAt.Unix(), "contact": contact,
			"inbox": inbox, "messages": msgs, "account_id": c.AccountID})
	}
	return ok(w, map[string]any{"meta": presentCounts(counts, false), "payload": out})
}

func senderName(sender any) any {
	switch v := sender.(type) {
	case present.UserPushJSON:
		return v.AvailableName
	case present.ContactPushJSON:
		return v.Name
	}
	return nil
}

// contactConversations is GET /contacts/{id}/conversations: the contact's 20
// most recently active conversations the caller may see, {"payload":[…]}.
func (s *Server) contactConversations(w http.ResponseWriter, r *http.Request) error {
	contact, err := s.contactFromPath(r.Context(), r, s.store.Read(), "id")
	if err != nil {
		return err
	}
	p := caller(r)
	f := store.ConversationFilter{AccountID: p.member.AccountID, UserID: p.user.ID, MemberOnly: !p.member.IsAdmin(),
		Status: "all", ContactID: contact.ID, PerPage: 20, Page: 1}
	list, _, err := s.store.Read().ListConversations(r.Context(), f)
	if err != nil {
		return err
	}
	page, err := s.loadConversationPage(r.Context(), f.AccountID, f.UserID, list)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"payload": presentAll(list, page.present)})
}
