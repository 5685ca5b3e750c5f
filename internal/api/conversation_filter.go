package api

import (
	"net/http"
	"strconv"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// filterConversations is POST /conversations/filter (reference §3.5, §6.5):
// {"payload":[{attribute_key, filter_operator, values, query_operator,
// custom_attribute_type}], "page":n} → {"meta":{mine_count,unassigned_count,
// all_count},"payload":[conversation]}, every status, by last activity, 25 a
// page, among the conversations the caller may see.
func (s *Server) filterConversations(w http.ResponseWriter, r *http.Request) error {
	var p filterParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	rows, err := filterRows(p.Payload)
	if err != nil {
		return err
	}
	ctx := r.Context()
	c := caller(r)
	q := s.store.Read()
	defs, err := q.CustomAttributeDefinitions(ctx, c.member.AccountID, "")
	if err != nil {
		return err
	}
	filter, err := criachat.ParseConversationFilter(rows, s.now().UTC(), defs)
	if err != nil {
		return err
	}
	page := pageParam(r.URL.Query().Get("page"))
	if p.Page != nil { // the body's page wins, as Rails merges body params over the query's
		page = pageParam(strconv.FormatInt(int64(*p.Page), 10))
	}
	f := store.ConversationFilter{AccountID: c.member.AccountID, UserID: c.user.ID, MemberOnly: !c.member.IsAdmin(),
		Status: "all", Filter: filter, PerPage: conversationsPerPage, Page: page}
	list, counts, err := q.ListConversations(ctx, f)
	if err != nil {
		return err
	}
	presented, err := s.loadConversationPage(ctx, f.AccountID, f.UserID, list)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"meta": presentCounts(counts, false), "payload": presentAll(list, presented.present)})
}
