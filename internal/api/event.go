package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/store"
)

// The events feed (beyond Chatwoot): GET /api/v1/accounts/{id}/events. An
// integrator that missed deliveries, or prefers to poll, reads the account's
// events in sequence order from the last sequence number it saw.

const (
	defaultEventsLimit = 100
	maxEventsLimit     = 1000
)

// eventJSON is one event of the feed; payload is exactly what webhooks send.
type eventJSON struct {
	Seq       int64           `json:"seq"`
	ID        string          `json:"id"`
	Event     string          `json:"event"`
	CreatedAt string          `json:"created_at"`
	Payload   json.RawMessage `json:"payload"`
}

type eventsMetaJSON struct {
	After   int64 `json:"after"`
	Next    int64 `json:"next_after"`
	HasMore bool  `json:"has_more"`
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	qv := r.URL.Query()
	after, err := queryInt(qv.Get("after"))
	if err != nil {
		return err
	}
	limit, err := queryInt(qv.Get("limit"))
	if err != nil {
		return err
	}
	if limit <= 0 {
		limit = defaultEventsLimit
	}
	limit = min(limit, maxEventsLimit)
	f := store.EventsFilter{After: max(after, 0), Limit: int(limit) + 1}
	for _, list := range qv["types"] {
		for _, t := range strings.Split(list, ",") {
			if t = strings.TrimSpace(t); t == "" {
				continue
			}
			if !criachat.EventType(t).Valid() {
				return criachat.Invalid("Types has an unknown event: "+t, "types")
			}
			f.Types = append(f.Types, criachat.EventType(t))
		}
	}
	accountID := caller(r).member.AccountID
	// Number what committed since the last read, so the page shows every event.
	if err := s.store.SequenceEvents(r.Context(), accountID); err != nil {
		return err
	}
	events, err := s.store.Read().Events(r.Context(), accountID, f)
	if err != nil {
		return err
	}
	meta := eventsMetaJSON{After: f.After, Next: f.After}
	if len(events) > int(limit) {
		events, meta.HasMore = events[:limit], true
	}
	out := make([]eventJSON, len(events))
	for i, e := range events {
		out[i] = eventJSON{Seq: e.Seq, ID: e.UUID, Event: string(e.Type), CreatedAt: present.ISOTime(e.CreatedAt), Payload: e.Payload}
		meta.Next = e.Seq
	}
	return ok(w, map[string]any{"payload": out, "meta": meta})
}
