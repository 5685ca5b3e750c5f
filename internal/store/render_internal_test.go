package store

import (
	"testing"

	"github.com/criachat/criachat/internal/criachat"
)

// TestPayloadRendersRunOnce: the writer renders a job no caller goroutine
// has started (the caller may be waiting for a CPU), and a job is rendered
// once whoever gets to it first; a failed render fails the batch.
func TestPayloadRendersRunOnce(t *testing.T) {
	queued := func(body any) []queuedEvents {
		return []queuedEvents{{events: []*criachat.Event{{Type: criachat.EventMessageCreated, Body: body}}}}
	}
	newRequest := func() *txRequest { return &txRequest{render: make(chan func(), 1)} }

	// The caller never runs its job: the writer does.
	var p payloadRenders
	idle, busy := newRequest(), newRequest()
	idleItems, busyItems := queued(map[string]int{"n": 1}), queued(map[string]int{"n": 2})
	p.hand(idle, idleItems)
	p.hand(busy, busyItems)
	(<-busy.render)() // this caller got there first
	if got := string(busyItems[0].events[0].Payload); got != `{"n":2}` {
		t.Fatalf("payload rendered by its caller = %q", got)
	}
	if err := p.wait(); err != nil {
		t.Fatal(err)
	}
	if got := string(idleItems[0].events[0].Payload); got != `{"n":1}` {
		t.Fatalf("payload rendered by the writer = %q", got)
	}
	(<-idle.render)() // the late caller finds its job done: no second render, no panic
	if e := idleItems[0].events[0]; e.Body != nil || string(e.Payload) != `{"n":1}` {
		t.Fatalf("after the late caller: %+v", e)
	}

	// Events already rendered are not handed out.
	var none payloadRenders
	r := newRequest()
	none.hand(r, []queuedEvents{{events: []*criachat.Event{{Payload: []byte(`{}`)}}}})
	if len(r.render) != 0 || len(none.jobs) != 0 {
		t.Fatal("a rendered payload was handed out")
	}

	var failing payloadRenders
	failing.hand(newRequest(), queued(make(chan int)))
	if err := failing.wait(); err == nil {
		t.Fatal("an unrenderable body did not fail the batch")
	}
}
