package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// TestWebhookStore: round trip with the subscription order kept, the errors
// of a taken URL and a foreign inbox, and what deleting does to the log.
func TestWebhookStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		tx := func(fn func(q *store.Queries) error) error { return s.Tx(ctx, fn) }
		w := &criachat.Webhook{AccountID: f.a.ID, InboxID: &f.apiIn.ID, Name: "CRM", URL: "https://crm.io/h",
			Subscriptions: []criachat.EventType{criachat.EventMessageUpdated, criachat.EventMessageCreated}, SecretSealed: "sealed"}
		if err := tx(func(q *store.Queries) error { return q.CreateWebhook(ctx, w) }); err != nil {
			t.Fatal(err)
		}
		got, err := s.Read().Webhook(ctx, f.a.ID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("read webhook differs:\n got %+v\nwant %+v", got, w)
		}
		if _, err := s.Read().Webhook(ctx, f.b.ID, w.ID); !criachat.IsNotFound(err) {
			t.Fatalf("webhook through another account: %v", err)
		}

		dup := &criachat.Webhook{AccountID: f.a.ID, URL: w.URL, Subscriptions: w.Subscriptions, SecretSealed: "x"}
		err = tx(func(q *store.Queries) error { return q.CreateWebhook(ctx, dup) })
		if criachat.ErrorCode(err) != criachat.ECONFLICT || criachat.ErrorMessage(err) != "Url has already been taken" {
			t.Fatalf("duplicate url: %v", err)
		}
		foreign := &criachat.Webhook{AccountID: f.a.ID, InboxID: &f.bIn.ID, URL: "https://crm.io/other",
			Subscriptions: w.Subscriptions, SecretSealed: "x"}
		if err := tx(func(q *store.Queries) error { return q.CreateWebhook(ctx, foreign) }); !criachat.IsNotFound(err) {
			t.Fatalf("webhook with another account's inbox: %v", err)
		}

		// An event of the API inbox goes to the webhook and to the inbox's webhook_url.
		url := "https://inbox.io/cb"
		f.apiIn.WebhookURL = &url
		if err := tx(func(q *store.Queries) error { return q.UpdateInbox(ctx, f.apiIn) }); err != nil {
			t.Fatal(err)
		}
		if err := tx(func(q *store.Queries) error {
			return q.AppendEvent(ctx, &criachat.Event{AccountID: f.a.ID, Type: criachat.EventMessageCreated,
				InboxID: &f.apiIn.ID, Payload: []byte(`{"event":"message_created"}`)}, store.EventRoute{})
		}); err != nil {
			t.Fatal(err)
		}
		list, err := s.Read().WebhookDeliveries(ctx, f.a.ID, store.Target{Type: criachat.TargetWebhook, ID: w.ID}, store.DeliveryFilter{Limit: 25})
		if err != nil || len(list) != 1 {
			t.Fatalf("webhook deliveries = %v, %v", list, err)
		}
		hookDelivery := list[0].ID
		// Both rows come from one INSERT, so the inbox's delivery is a neighbour of the webhook's.
		redeliver := func(id int64) (*criachat.Delivery, error) {
			var d *criachat.Delivery
			err := tx(func(q *store.Queries) (err error) { d, err = q.Redeliver(ctx, f.a.ID, id); return err })
			return d, err
		}
		var inboxDelivery int64
		for _, id := range []int64{hookDelivery - 1, hookDelivery + 1} {
			if d, err := redeliver(id); err == nil && d.TargetType == criachat.TargetAPIInbox {
				inboxDelivery = id
				if d.URL != url || d.TargetID != f.apiIn.ID || *d.RedeliveryOf != id || d.EventUUID != list[0].EventUUID {
					t.Fatalf("inbox redelivery = %+v", d)
				}
			}
		}
		if inboxDelivery == 0 {
			t.Fatal("no redelivery of the inbox's delivery")
		}
		if _, err := redeliver(hookDelivery); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().WebhookDelivery(ctx, f.a.ID, store.Target{Type: criachat.TargetWebhook, ID: w.ID}, inboxDelivery); !criachat.IsNotFound(err) {
			t.Fatalf("the inbox's delivery through the webhook log: %v", err)
		}
		if _, err := redeliver(hookDelivery); err != nil {
			t.Fatal(err)
		}
		if err := tx(func(q *store.Queries) error {
			_, err := q.Redeliver(ctx, f.b.ID, hookDelivery)
			return err
		}); !criachat.IsNotFound(err) {
			t.Fatalf("redeliver through another account: %v", err)
		}

		// Without a URL at the destination there is nothing to redeliver to.
		f.apiIn.WebhookURL = nil
		if err := tx(func(q *store.Queries) error { return q.UpdateInbox(ctx, f.apiIn) }); err != nil {
			t.Fatal(err)
		}
		if _, err := redeliver(inboxDelivery); criachat.ErrorCode(err) != criachat.EINVALID {
			t.Fatalf("redeliver without a URL: %v", err)
		}

		// Deleting the webhook deletes its log, not the inbox's deliveries.
		if err := tx(func(q *store.Queries) error { return q.DeleteWebhook(ctx, f.a.ID, w.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := redeliver(hookDelivery); !criachat.IsNotFound(err) {
			t.Fatalf("redeliver a deleted webhook's delivery: %v", err)
		}
		if n, err := s.Read().CountWebhookDeliveries(ctx, f.a.ID, store.Target{Type: criachat.TargetWebhook, ID: w.ID}, store.DeliveryFilter{}); err != nil || n != 0 {
			t.Fatalf("deleted webhook's deliveries = %d, %v", n, err)
		}
		if _, err := redeliver(inboxDelivery); criachat.ErrorCode(err) != criachat.EINVALID {
			t.Fatalf("the inbox's delivery after the webhook went: %v", err)
		}
	})
}
