package api

import (
	"net/http"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/store"
)

// customFilterJSON is Chatwoot's custom filter
// (app/views/api/v1/accounts/custom_filters/_custom_filter.json.jbuilder), ISO timestamps.
type customFilterJSON struct {
	ID         int64               `json:"id"`
	Name       string              `json:"name"`
	FilterType criachat.FilterType `json:"filter_type"`
	Query      map[string]any      `json:"query"`
	CreatedAt  string              `json:"created_at"`
	UpdatedAt  string              `json:"updated_at"`
}

func presentCustomFilter(f *criachat.CustomFilter) customFilterJSON {
	query := f.Query
	if query == nil {
		query = map[string]any{}
	}
	return customFilterJSON{ID: f.ID, Name: f.Name, FilterType: f.FilterType, Query: query,
		CreatedAt: present.ISOTime(f.CreatedAt), UpdatedAt: present.ISOTime(f.UpdatedAt)}
}

// customFilterParams is the body of create and update, under "custom_filter".
type customFilterParams struct {
	Name       *string         `json:"name"`
	FilterType *enumParam      `json:"filter_type"`
	Query      *map[string]any `json:"query"`
}

func (p customFilterParams) apply(f *criachat.CustomFilter) {
	setStr(&f.Name, p.Name)
	if p.FilterType != nil {
		f.FilterType = enumOf(*p.FilterType, criachat.FilterTypes)
	}
	if p.Query != nil {
		f.Query = *p.Query
	}
}

// listCustomFilters lists the caller's own filters of the filter_type given,
// conversation filters when it is absent (Chatwoot's DEFAULT_FILTER_TYPE).
func (s *Server) listCustomFilters(w http.ResponseWriter, r *http.Request) error {
	typ := criachat.FilterConversation
	if v, given := r.URL.Query()["filter_type"]; given && len(v) > 0 {
		typ = enumQuery(v[0], criachat.FilterTypes)
	}
	me := caller(r)
	list, err := s.store.Read().CustomFilters(r.Context(), me.member.AccountID, me.user.ID, typ)
	if err != nil {
		return err
	}
	return ok(w, presentAll(list, presentCustomFilter))
}

func (s *Server) showCustomFilter(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "custom filter not found")
	}
	me := caller(r)
	f, err := s.store.Read().CustomFilter(r.Context(), me.member.AccountID, me.user.ID, id)
	if err != nil {
		return err
	}
	return ok(w, presentCustomFilter(f))
}

func (s *Server) createCustomFilter(w http.ResponseWriter, r *http.Request) error {
	var p customFilterParams
	if err := decode(r, "custom_filter", &p); err != nil {
		return err
	}
	me := caller(r)
	f := &criachat.CustomFilter{AccountID: me.member.AccountID, UserID: me.user.ID}
	p.apply(f)
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error { return q.CreateCustomFilter(r.Context(), f) }); err != nil {
		return err
	}
	return ok(w, presentCustomFilter(f))
}

func (s *Server) updateCustomFilter(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "custom filter not found")
	}
	var p customFilterParams
	if err := decode(r, "custom_filter", &p); err != nil {
		return err
	}
	me := caller(r)
	var f *criachat.CustomFilter
	err := s.store.Tx(r.Context(), func(q *store.Queries) (err error) {
		if f, err = q.CustomFilter(r.Context(), me.member.AccountID, me.user.ID, id); err != nil {
			return err
		}
		p.apply(f)
		return q.UpdateCustomFilter(r.Context(), f)
	})
	if err != nil {
		return err
	}
	return ok(w, presentCustomFilter(f))
}

func (s *Server) deleteCustomFilter(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "custom filter not found")
	}
	me := caller(r)
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error {
		return q.DeleteCustomFilter(r.Context(), me.member.AccountID, me.user.ID, id)
	}); err != nil {
		return err
	}
	return noContent(w)
}
