// Command criachat-load seeds a large account and measures CriaChat on it:
// the conversation list latency, the sustained message-create rate with
// concurrent clients, message search latency, and the server's resident
// memory. It drives the real binary over HTTP.
//
//	go build -o /tmp/criachat ./cmd/criachat
//	go run ./cmd/criachat-load -bin /tmp/criachat                  # SQLite in a temp dir
//	go run ./cmd/criachat-load -bin /tmp/criachat -database-url postgres://…
//
// Seeding writes straight through the store (the same code the server uses)
// in large transactions, before the server starts.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "", "path of the criachat binary to measure (required)")
	flag.StringVar(&o.databaseURL, "database-url", "", "database to use (default: SQLite in a temp dir); a PostgreSQL database must be empty")
	flag.IntVar(&o.contacts, "contacts", 10000, "contacts to seed")
	flag.IntVar(&o.conversations, "conversations", 100000, "conversations to seed")
	flag.IntVar(&o.messages, "messages", 1000000, "messages to seed")
	flag.IntVar(&o.clients, "clients", 16, "concurrent clients for the message-create run")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of each timed run")
	flag.IntVar(&o.runs, "runs", 1, "how many times to run the message-create measurement on the same seed (the median is reported too)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write the server's CPU profile of the message-create run here (starts the server with CRIACHAT_PPROF_ADDR)")
	flag.BoolVar(&o.webhook, "webhook", false, "subscribe an account webhook (message_created, conversation_updated) to a receiver in the load tool before measuring")
	flag.StringVar(&o.trace, "trace", "", "write a 3 s execution trace of the server's first message-create run here (go tool trace)")
	flag.Parse()
	if o.bin == "" || o.runs < 1 {
		fmt.Fprintln(os.Stderr, "criachat-load: -bin is required and -runs must be at least 1")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "criachat-load:", err)
		os.Exit(1)
	}
}
