package api

import (
	"context"
	"net/http"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// noteJSON is Chatwoot's note object (app/views/api/v1/models/_note.json.jbuilder).
// Chatwoot renders account_id and contact_id as null (the view writes
// `json.account_id json.account_id`); CriaChat gives the real ids. user is
// omitted when the author is gone or no longer a member of the account.
type noteJSON struct {
	ID        int64      `json:"id"`
	Content   string     `json:"content"`
	AccountID int64      `json:"account_id"`
	ContactID int64      `json:"contact_id"`
	User      *agentJSON `json:"user,omitempty"`
	CreatedAt int64      `json:"created_at"`
	UpdatedAt int64      `json:"updated_at"`
}

func presentNote(n *criachat.Note, authors map[int64]criachat.Agent) noteJSON {
	j := noteJSON{ID: n.ID, Content: n.Content, AccountID: n.AccountID, ContactID: n.ContactID,
		CreatedAt: n.CreatedAt.Unix(), UpdatedAt: n.UpdatedAt.Unix()}
	if n.UserID != nil {
		if a, ok := authors[*n.UserID]; ok {
			aj := presentAgent(a)
			j.User = &aj
		}
	}
	return j
}

// noteAuthor loads the author of one note as a member of the account.
func noteAuthor(ctx context.Context, q *store.Queries, n *criachat.Note) (map[int64]criachat.Agent, error) {
	if n.UserID == nil {
		return nil, nil
	}
	a, err := q.Agent(ctx, n.AccountID, *n.UserID)
	if criachat.IsNotFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return map[int64]criachat.Agent{*n.UserID: a}, nil
}

// noteParams is the body of note create and update: {"note":{"content":…}} or bare.
type noteParams struct {
	Content *string `json:"content"`
}

func (s *Server) listNotes(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := s.store.Read()
	c, err := s.contactFromPath(ctx, r, q, "id")
	if err != nil {
		return err
	}
	notes, err := q.Notes(ctx, c.AccountID, c.ID)
	if err != nil {
		return err
	}
	authors, err := q.NoteAuthors(ctx, c.AccountID, c.ID)
	if err != nil {
		return err
	}
	return ok(w, presentAll(notes, func(n *criachat.Note) noteJSON { return presentNote(n, authors) }))
}

func (s *Server) createNote(w http.ResponseWriter, r *http.Request) error {
	var p noteParams
	if err := decode(r, "note", &p); err != nil {
		return err
	}
	ctx := r.Context()
	me := caller(r)
	var out noteJSON
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		c, err := s.contactFromPath(ctx, r, q, "id")
		if err != nil {
			return err
		}
		n := &criachat.Note{AccountID: c.AccountID, ContactID: c.ID, UserID: &me.user.ID}
		setStr(&n.Content, p.Content)
		if err := q.CreateNote(ctx, n); err != nil {
			return err
		}
		out = presentNote(n, map[int64]criachat.Agent{me.user.ID: {User: me.user, Member: me.member}})
		return nil
	})
	if err != nil {
		return err
	}
	return ok(w, out)
}

// noteFromPath loads the note of the {note_id} path parameter of the contact {id}.
func (s *Server) noteFromPath(ctx context.Context, r *http.Request, q *store.Queries) (*criachat.Note, error) {
	contactID, ok1 := pathID(r, "id")
	noteID, ok2 := pathID(r, "note_id")
	if !ok1 || !ok2 {
		return nil, criachat.Errorf(criachat.ENOTFOUND, "note not found")
	}
	return q.Note(ctx, caller(r).member.AccountID, contactID, noteID)
}

func (s *Server) showNote(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := s.store.Read()
	n, err := s.noteFromPath(ctx, r, q)
	if err != nil {
		return err
	}
	authors, err := noteAuthor(ctx, q, n)
	if err != nil {
		return err
	}
	return ok(w, presentNote(n, authors))
}

func (s *Server) updateNote(w http.ResponseWriter, r *http.Request) error {
	var p noteParams
	if err := decode(r, "note", &p); err != nil {
		return err
	}
	ctx := r.Context()
	var out noteJSON
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		n, err := s.noteFromPath(ctx, r, q)
		if err != nil {
			return err
		}
		setStr(&n.Content, p.Content)
		if err := q.UpdateNote(ctx, n); err != nil {
			return err
		}
		authors, err := noteAuthor(ctx, q, n)
		out = presentNote(n, authors)
		return err
	})
	if err != nil {
		return err
	}
	return ok(w, out)
}

func (s *Server) deleteNote(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		n, err := s.noteFromPath(ctx, r, q)
		if err != nil {
			return err
		}
		return q.DeleteNote(ctx, n.AccountID, n.ContactID, n.ID)
	})
	if err != nil {
		return err
	}
	return okEmpty(w)
}
