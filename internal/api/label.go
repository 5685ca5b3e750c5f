package api

import (
	"net/http"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// labelJSON is Chatwoot's label (app/views/api/v1/accounts/labels/_label.json.jbuilder).
type labelJSON struct {
	ID            int64   `json:"id"`
	Title         string  `json:"title"`
	Description   *string `json:"description"`
	Color         string  `json:"color"`
	ShowOnSidebar *bool   `json:"show_on_sidebar"`
}

func presentLabel(l *criachat.Label) labelJSON {
	return labelJSON{ID: l.ID, Title: l.Title, Description: l.Description, Color: l.Color, ShowOnSidebar: l.ShowOnSidebar}
}

// labelParams is the body of label create and update, under "label".
type labelParams struct {
	Title         *string   `json:"title"`
	Description   *string   `json:"description"`
	Color         *string   `json:"color"`
	ShowOnSidebar *flexBool `json:"show_on_sidebar"`
}

func (p labelParams) apply(l *criachat.Label) {
	setStr(&l.Title, p.Title)
	setStr(&l.Color, p.Color)
	if p.Description != nil {
		l.Description = p.Description
	}
	if p.ShowOnSidebar != nil {
		b := bool(*p.ShowOnSidebar)
		l.ShowOnSidebar = &b
	}
}

func (s *Server) listLabels(w http.ResponseWriter, r *http.Request) error {
	labels, err := s.store.Read().Labels(r.Context(), caller(r).member.AccountID)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"payload": presentAll(labels, presentLabel)})
}

func (s *Server) showLabel(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "label not found")
	}
	l, err := s.store.Read().Label(r.Context(), caller(r).member.AccountID, id)
	if err != nil {
		return err
	}
	return ok(w, presentLabel(l))
}

func (s *Server) createLabel(w http.ResponseWriter, r *http.Request) error {
	var p labelParams
	if err := decode(r, "label", &p); err != nil {
		return err
	}
	l := &criachat.Label{AccountID: caller(r).member.AccountID}
	p.apply(l)
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error { return q.CreateLabel(r.Context(), l) }); err != nil {
		return err
	}
	return ok(w, presentLabel(l))
}

func (s *Server) updateLabel(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "label not found")
	}
	var p labelParams
	if err := decode(r, "label", &p); err != nil {
		return err
	}
	var l *criachat.Label
	err := s.store.Tx(r.Context(), func(q *store.Queries) (err error) {
		if l, err = q.Label(r.Context(), caller(r).member.AccountID, id); err != nil {
			return err
		}
		p.apply(l)
		return q.UpdateLabel(r.Context(), l)
	})
	if err != nil {
		return err
	}
	return ok(w, presentLabel(l))
}

func (s *Server) deleteLabel(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "label not found")
	}
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error {
		return q.DeleteLabel(r.Context(), caller(r).member.AccountID, id)
	}); err != nil {
		return err
	}
	return okEmpty(w)
}
