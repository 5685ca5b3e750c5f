package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// Account webhooks (reference §3.9), plus what Chatwoot lacks: rotating the
// secret, and the delivery log with redelivery.

// deliveriesPerPage is the page size of the delivery log.
const deliveriesPerPage = 25

// webhookJSON is Chatwoot's webhook (app/views/api/v1/accounts/webhooks/_webhook.json.jbuilder):
// inbox is left out when the webhook has none.
type webhookJSON struct {
	ID            int64                `json:"id"`
	Name          *string              `json:"name"`
	URL           string               `json:"url"`
	AccountID     int64                `json:"account_id"`
	Subscriptions []criachat.EventType `json:"subscriptions"`
	Secret        string               `json:"secret"`
	Inbox         *webhookInboxJSON    `json:"inbox,omitempty"`
}

type webhookInboxJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// presentWebhook renders w with its secret opened; inboxes holds the
// webhook's inbox when it has one.
func (s *Server) presentWebhook(w *criachat.Webhook, inboxes map[int64]*criachat.Inbox) (webhookJSON, error) {
	sec, err := s.keeper.Decrypt(w.SecretSealed)
	if err != nil {
		return webhookJSON{}, err
	}
	out := webhookJSON{ID: w.ID, Name: present.NullString(w.Name), URL: w.URL, AccountID: w.AccountID,
		Subscriptions: w.Subscriptions, Secret: sec}
	if w.InboxID != nil {
		if in, ok := inboxes[*w.InboxID]; ok {
			out.Inbox = &webhookInboxJSON{ID: in.ID, Name: in.Name}
		}
	}
	return out, nil
}

// webhookParams is the body of webhook create and update, under "webhook"
// (Chatwoot's webhook_params: inbox_id, name, url, subscriptions[]).
type webhookParams struct {
	URL           *string     `json:"url"`
	Name          *string     `json:"name"`
	Subscriptions *[]string   `json:"subscriptions"`
	InboxID       flexNullInt `json:"inbox_id"`
}

func (p webhookParams) apply(w *criachat.Webhook) {
	setStr(&w.URL, p.URL)
	setStr(&w.Name, p.Name)
	if p.Subscriptions != nil {
		w.Subscriptions = make([]criachat.EventType, len(*p.Subscriptions))
		for i, v := range *p.Subscriptions {
			w.Subscriptions[i] = criachat.EventType(v)
		}
	}
	if p.InboxID.set {
		w.InboxID = p.InboxID.v
		if w.InboxID != nil && *w.InboxID == 0 { // Rails casts "" to nil; 0 names no inbox either
			w.InboxID = nil
		}
	}
}

// validateWebhook runs the Webhook model's validations in their order (url
// format, subscriptions) and reports every failure in one RecordInvalid
// error; the URL's uniqueness is the store's. Chatwoot's URL regexp is not
// anchored (it accepts any text that contains an http URL); CriaChat wants
// the whole value to be an absolute http or https URL with a host, and caps
// its length like Chatwoot's other URL fields.
func validateWebhook(w *criachat.Webhook) error {
	var v criachat.Violations
	if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		v.Add("url", "Url is invalid")
	} else if len(w.URL) > criachat.MaxURLLength {
		v.Add("url", fmt.Sprintf("Url is too long (maximum is %d characters)", criachat.MaxURLLength))
	}
	if criachat.ValidateSubscriptions(w.Subscriptions) != nil {
		v.Add("subscriptions", "Subscriptions Invalid events")
	}
	return v.Err()
}

// webhookInboxes loads the inboxes the webhooks name, in one query.
func webhookInboxes(ctx context.Context, q *store.Queries, accountID int64, hooks ...*criachat.Webhook) (map[int64]*criachat.Inbox, error) {
	var ids []int64
	for _, w := range hooks {
		if w.InboxID != nil {
			ids = append(ids, *w.InboxID)
		}
	}
	out := map[int64]*criachat.Inbox{}
	if len(ids) == 0 {
		return out, nil
	}
	list, err := q.InboxesByIDs(ctx, accountID, ids)
	for _, in := range list {
		out[in.ID] = in
	}
	return out, err
}

// webhookPathID reads the webhook id of the path.
func webhookPathID(r *http.Request) (int64, error) {
	id, found := pathID(r, "id")
	if !found {
		return 0, criachat.Errorf(criachat.ENOTFOUND, "webhook not found")
	}
	return id, nil
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), caller(r).member.AccountID
	q := s.store.Read()
	hooks, err := q.Webhooks(ctx, accountID)
	if err != nil {
		return err
	}
	inboxes, err := webhookInboxes(ctx, q, accountID, hooks...)
	if err != nil {
		return err
	}
	out := make([]webhookJSON, 0, len(hooks))
	for _, h := range hooks {
		j, err := s.presentWebhook(h, inboxes)
		if err != nil {
			return err
		}
		out = append(out, j)
	}
	return ok(w, map[string]any{"payload": map[string]any{"webhooks": out}})
}

// saveWebhook validates h, checks that its inbox is one of the account's and
// stores it with save, in one transaction; it answers the saved webhook.
func (s *Server) saveWebhook(w http.ResponseWriter, r *http.Request, load func(q *store.Queries) (*criachat.Webhook, error),
	save func(q *store.Queries, h *criachat.Webhook) error) error {
	ctx := r.Context()
	var h *criachat.Webhook
	inboxes := map[int64]*criachat.Inbox{}
	err := s.store.Tx(ctx, func(q *store.Queries) (err error) {
		if h, err = load(q); err != nil {
			return err
		}
		if err := validateWebhook(h); err != nil {
			return err
		}
		if h.InboxID != nil {
			in, err := q.Inbox(ctx, h.AccountID, *h.InboxID)
			if err != nil {
				return err
			}
			inboxes[in.ID] = in
		}
		return save(q, h)
	})
	if err != nil {
		return err
	}
	out, err := s.presentWebhook(h, inboxes)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"payload": map[string]any{"webhook": out}})
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var p webhookParams
	if err := decode(r, "webhook", &p); err != nil {
		return err
	}
	return s.saveWebhook(w, r, func(*store.Queries) (*criachat.Webhook, error) {
		h := &criachat.Webhook{AccountID: caller(r).member.AccountID, SecretSealed: s.keeper.Encrypt(secret.NewToken())}
		p.apply(h)
		return h, nil
	}, func(q *store.Queries, h *criachat.Webhook) error { return q.CreateWebhook(r.Context(), h) })
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request) error {
	var p webhookParams
	if err := decode(r, "webhook", &p); err != nil {
		return err
	}
	return s.editWebhook(w, r, p.apply, func(q *store.Queries, h *criachat.Webhook) error { return q.UpdateWebhook(r.Context(), h) })
}

// editWebhook loads the webhook of the path, lets change edit it and saves it with save.
func (s *Server) editWebhook(w http.ResponseWriter, r *http.Request, change func(h *criachat.Webhook),
	save func(q *store.Queries, h *criachat.Webhook) error) error {
	id, err := webhookPathID(r)
	if err != nil {
		return err
	}
	return s.saveWebhook(w, r, func(q *store.Queries) (*criachat.Webhook, error) {
		h, err := q.Webhook(r.Context(), caller(r).member.AccountID, id)
		if err != nil {
			return nil, err
		}
		change(h)
		return h, nil
	}, save)
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := webhookPathID(r)
	if err != nil {
		return err
	}
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error {
		return q.DeleteWebhook(r.Context(), caller(r).member.AccountID, id)
	}); err != nil {
		return err
	}
	return okEmpty(w)
}

// resetWebhookSecret gives a webhook a new signing secret (beyond Chatwoot,
// which can rotate the secrets of inboxes and agent bots but not of webhooks).
func (s *Server) resetWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	return s.editWebhook(w, r, func(h *criachat.Webhook) { h.SecretSealed = s.keeper.Encrypt(secret.NewToken()) },
		func(q *store.Queries, h *criachat.Webhook) error {
			return q.SetWebhookSecret(r.Context(), h.AccountID, h.ID, h.SecretSealed)
		})
}

// deliveryJSON is one delivery of the log. next_attempt_at is set only while
// the delivery is pending.
type deliveryJSON struct {
	ID             int64                  `json:"id"`
	UUID           string                 `json:"uuid"`
	Event          criachat.EventType     `json:"event"`
	EventID        int64                  `json:"event_id"`
	URL            string                 `json:"url"`
	State          criachat.DeliveryState `json:"state"`
	Attempts       int                    `json:"attempts"`
	LastStatusCode *int                   `json:"last_status_code"`
	LastError      *string                `json:"last_error"`
	NextAttemptAt  any                    `json:"next_attempt_at"`
	RedeliveryOf   *int64                 `json:"redelivery_of"`
	CreatedAt      string                 `json:"created_at"`
	UpdatedAt      string                 `json:"updated_at"`
	CompletedAt    any                    `json:"completed_at"`
}

func presentDelivery(d *criachat.Delivery) deliveryJSON {
	var next any
	if d.State == criachat.DeliveryPending {
		next = present.ISOTimePtr(d.NextAttemptAt)
	}
	return deliveryJSON{ID: d.ID, UUID: d.UUID(), Event: d.EventType, EventID: d.EventID, URL: d.URL, State: d.State,
		Attempts: d.Attempts, LastStatusCode: d.LastStatusCode, LastError: present.NullString(d.LastError),
		NextAttemptAt: next, RedeliveryOf: d.RedeliveryOf, CreatedAt: present.ISOTime(d.CreatedAt),
		UpdatedAt: present.ISOTime(d.UpdatedAt), CompletedAt: present.ISOTimePtr(d.CompletedAt)}
}

// attemptJSON is one HTTP attempt of a delivery.
type attemptJSON struct {
	Attempt    int     `json:"attempt"`
	StartedAt  string  `json:"started_at"`
	StatusCode *int    `json:"status_code"`
	LatencyMS  float64 `json:"latency_ms"`
	Error      *string `json:"error"`
	Response   *string `json:"response"`
}

func presentAttempt(a *criachat.DeliveryAttempt) attemptJSON {
	return attemptJSON{Attempt: a.Attempt, StartedAt: present.ISOTime(a.StartedAt), StatusCode: a.StatusCode,
		LatencyMS: float64(a.Latency.Microseconds()) / 1000, Error: present.NullString(a.Error),
		Response: present.NullString(a.Response)}
}

// deliveryDetailJSON is a delivery with the event payload it sends and its
// attempts; the list of attempts takes the place of their count.
type deliveryDetailJSON struct {
	deliveryJSON
	Payload  json.RawMessage `json:"payload"`
	Attempts []attemptJSON   `json:"attempts"`
}

// deliveryListJSON is the body of the delivery log.
type deliveryListJSON struct {
	Payload []deliveryJSON   `json:"payload"`
	Meta    deliveryListMeta `json:"meta"`
}

type deliveryListMeta struct {
	Count       int64 `json:"count"`
	CurrentPage int   `json:"current_page"`
}

// deliveryFilter reads the log's query: page, state and event.
func deliveryFilter(r *http.Request) (store.DeliveryFilter, int, error) {
	qv := r.URL.Query()
	page := pageParam(qv.Get("page"))
	f := store.DeliveryFilter{State: criachat.DeliveryState(qv.Get("state")), Event: criachat.EventType(qv.Get("event")),
		Offset: (page - 1) * deliveriesPerPage, Limit: deliveriesPerPage}
	switch f.State {
	case "", criachat.DeliveryPending, criachat.DeliveryDelivered, criachat.DeliveryFailed:
	default:
		return f, 0, criachat.Errorf(criachat.EINVALID, "state must be pending, delivered or failed")
	}
	if f.Event != "" && !f.Event.Valid() {
		return f, 0, criachat.Errorf(criachat.EINVALID, "event %q is not an event type", f.Event)
	}
	return f, page, nil
}

// deliveryTarget finds the destination a delivery-log route names, in the
// caller's account: 404 for another account's or an unknown one.
type deliveryTarget func(ctx context.Context, q *store.Queries, accountID, id int64) (store.Target, error)

func webhookTarget(ctx context.Context, q *store.Queries, accountID, id int64) (store.Target, error) {
	_, err := q.Webhook(ctx, accountID, id)
	return store.Target{Type: criachat.TargetWebhook, ID: id}, err
}

func apiInboxTarget(ctx context.Context, q *store.Queries, accountID, id int64) (store.Target, error) {
	in, err := q.Inbox(ctx, accountID, id)
	if err == nil && !in.IsAPI() {
		err = criachat.Errorf(criachat.ENOTFOUND, "only API inboxes have webhook callbacks")
	}
	return store.Target{Type: criachat.TargetAPIInbox, ID: id}, err
}

func agentBotTarget(ctx context.Context, q *store.Queries, accountID, id int64) (store.Target, error) {
	_, err := q.AgentBot(ctx, accountID, id)
	return store.Target{Type: criachat.TargetAgentBot, ID: id}, err
}

// deliveryPath reads the destination and delivery ids of a delivery-log path.
// The delivery id is 0 on the list route, which has none.
func (s *Server) deliveryPath(r *http.Request, q *store.Queries, find deliveryTarget) (store.Target, int64, error) {
	id, found := pathID(r, "id")
	if !found {
		return store.Target{}, 0, criachat.Errorf(criachat.ENOTFOUND, "destination not found")
	}
	t, err := find(r.Context(), q, caller(r).member.AccountID, id)
	if err != nil {
		return t, 0, err
	}
	deliveryID, found := pathID(r, "delivery_id")
	if !found && r.PathValue("delivery_id") != "" {
		return t, 0, criachat.Errorf(criachat.ENOTFOUND, "delivery not found")
	}
	return t, deliveryID, nil
}

// listDeliveries is GET …/deliveries of a destination (account webhook,
// API inbox callback, agent bot): newest first, 25 a page, by state and event.
func (s *Server) listDeliveries(find deliveryTarget) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, page, err := deliveryFilter(r)
		if err != nil {
			return err
		}
		ctx, accountID := r.Context(), caller(r).member.AccountID
		q := s.store.Read()
		t, _, err := s.deliveryPath(r, q, find)
		if err != nil {
			return err
		}
		list, err := q.WebhookDeliveries(ctx, accountID, t, f)
		if err != nil {
			return err
		}
		total, err := q.CountWebhookDeliveries(ctx, accountID, t, f)
		if err != nil {
			return err
		}
		return ok(w, deliveryListJSON{Payload: presentAll(list, presentDelivery), Meta: deliveryListMeta{Count: total, CurrentPage: page}})
	}
}

// showDelivery is GET …/deliveries/{delivery_id}: the delivery with its
// event's payload and every attempt.
func (s *Server) showDelivery(find deliveryTarget) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, accountID := r.Context(), caller(r).member.AccountID
		q := s.store.Read()
		t, deliveryID, err := s.deliveryPath(r, q, find)
		if err != nil {
			return err
		}
		d, err := q.WebhookDelivery(ctx, accountID, t, deliveryID)
		if err != nil {
			return err
		}
		attempts, err := q.WebhookAttempts(ctx, accountID, d.ID)
		if err != nil {
			return err
		}
		ev, err := q.Event(ctx, accountID, d.EventID)
		if err != nil {
			return err
		}
		payload := json.RawMessage("null")
		if json.Valid(ev.Payload) {
			payload = ev.Payload
		}
		return ok(w, map[string]any{"payload": deliveryDetailJSON{deliveryJSON: presentDelivery(d), Payload: payload,
			Attempts: presentAll(attempts, presentAttempt)}})
	}
}

// redeliver is POST …/deliveries/{delivery_id}/redeliver: the delivery's
// event again to the destination's current URL, as a new delivery (beyond
// Chatwoot, which keeps no log).
func (s *Server) redeliver(find deliveryTarget) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, accountID := r.Context(), caller(r).member.AccountID
		var d *criachat.Delivery
		err := s.store.Tx(ctx, func(q *store.Queries) error {
			t, deliveryID, err := s.deliveryPath(r, q, find)
			if err != nil {
				return err
			}
			old, err := q.WebhookDelivery(ctx, accountID, t, deliveryID)
			if err != nil {
				return err
			}
			d, err = q.Redeliver(ctx, accountID, old.ID)
			return err
		})
		if err != nil {
			return err
		}
		return ok(w, map[string]any{"payload": presentDelivery(d)})
	}
}
