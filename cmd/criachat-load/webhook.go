package main

import (
	"io"
	"net"
	"net/http"
	"sync/atomic"
)

// receiver is the load tool's webhook endpoint (-webhook): it answers 200 to
// every delivery and counts them, as a quick automation tool would.
type receiver struct {
	url      string
	received atomic.Int64
	srv      *http.Server
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String() + "/hook"}
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		r.received.Add(1)
	})}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) close() { _ = r.srv.Close() }

// subscribe adds an account webhook to r for the events a reply causes.
func (r *receiver) subscribe(srv *server) error {
	return srv.call("POST", "/webhooks", map[string]any{"url": r.url,
		"subscriptions": []string{"message_created", "conversation_updated"}}, nil)
}
