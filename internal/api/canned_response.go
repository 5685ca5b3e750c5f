package api

import (
	"net/http"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/store"
)

// cannedResponseJSON is a canned response rendered with `render json:` (raw
// attributes, ISO timestamps; reference §3.7, §7).
type cannedResponseJSON struct {
	ID        int64  `json:"id"`
	AccountID int64  `json:"account_id"`
	ShortCode string `json:"short_code"`
	Content   string `json:"content"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func presentCannedResponse(c *criachat.CannedResponse) cannedResponseJSON {
	return cannedResponseJSON{ID: c.ID, AccountID: c.AccountID, ShortCode: c.ShortCode, Content: c.Content,
		CreatedAt: present.ISOTime(c.CreatedAt), UpdatedAt: present.ISOTime(c.UpdatedAt)}
}

// cannedResponseParams is the body of create and update, under "canned_response".
type cannedResponseParams struct {
	ShortCode *string `json:"short_code"`
	Content   *string `json:"content"`
}

func (p cannedResponseParams) apply(c *criachat.CannedResponse) {
	setStr(&c.ShortCode, p.ShortCode)
	setStr(&c.Content, p.Content)
}

func (s *Server) listCannedResponses(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.Read().CannedResponses(r.Context(), caller(r).member.AccountID, r.URL.Query().Get("search"))
	if err != nil {
		return err
	}
	return ok(w, presentAll(list, presentCannedResponse))
}

func (s *Server) createCannedResponse(w http.ResponseWriter, r *http.Request) error {
	var p cannedResponseParams
	if err := decode(r, "canned_response", &p); err != nil {
		return err
	}
	c := &criachat.CannedResponse{AccountID: caller(r).member.AccountID}
	p.apply(c)
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error { return q.CreateCannedResponse(r.Context(), c) }); err != nil {
		return err
	}
	return ok(w, presentCannedResponse(c))
}

func (s *Server) updateCannedResponse(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "canned response not found")
	}
	var p cannedResponseParams
	if err := decode(r, "canned_response", &p); err != nil {
		return err
	}
	var c *criachat.CannedResponse
	err := s.store.Tx(r.Context(), func(q *store.Queries) (err error) {
		if c, err = q.CannedResponse(r.Context(), caller(r).member.AccountID, id); err != nil {
			return err
		}
		p.apply(c)
		return q.UpdateCannedResponse(r.Context(), c)
	})
	if err != nil {
		return err
	}
	return ok(w, presentCannedResponse(c))
}

func (s *Server) deleteCannedResponse(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "canned response not found")
	}
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error {
		return q.DeleteCannedResponse(r.Context(), caller(r).member.AccountID, id)
	}); err != nil {
		return err
	}
	return okEmpty(w)
}
