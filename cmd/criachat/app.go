package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/criachat/criachat/internal/account"
	"github.com/criachat/criachat/internal/api"
	"github.com/criachat/criachat/internal/blob"
	"github.com/criachat/criachat/internal/config"
	"github.com/criachat/criachat/internal/conversation"
	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/event"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/webhook"
)

// Main wires the program together: configuration, logger, store, services and
// the HTTP server. Tests build one with a temp database and call Serve.
type Main struct {
	Config   config.Config
	Log      *slog.Logger
	Store    *store.Store
	Accounts *account.Service
	Keeper   *secret.Keeper

	// Addr is the address the server listens on once Serve has started
	// listening (useful with CRIACHAT_ADDR=127.0.0.1:0).
	Addr chan string
}

// NewMain returns a program for cfg that logs to logw.
func NewMain(cfg config.Config, logw io.Writer) *Main {
	return &Main{Config: cfg, Log: cfg.Logger(logw), Addr: make(chan string, 1)}
}

// Open connects to the database, runs the migrations and builds the services.
func (m *Main) Open(ctx context.Context) error {
	if m.Config.SecretKeyGenerated {
		m.Log.Warn("CRIACHAT_SECRET_KEY is not set: generated a new key and kept it in the data dir; back it up",
			"file", m.Config.SecretKeyFile)
	}
	keeper, err := secret.NewKeeper(m.Config.SecretKey)
	if err != nil {
		return fmt.Errorf("CRIACHAT_SECRET_KEY: %w", err)
	}
	st, err := store.Open(ctx, m.Config.DatabaseURL)
	if err != nil {
		return err
	}
	st.SetAuthCacheTTL(m.Config.AuthCacheTTL)
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return err
	}
	for _, name := range applied {
		m.Log.Info("migration applied", "name", name)
	}
	m.Store = st
	m.Keeper = keeper
	m.Accounts = account.NewService(st, keeper)
	return nil
}

// Close releases the database.
func (m *Main) Close() error {
	if m.Store == nil {
		return nil
	}
	return m.Store.Close()
}

// Serve opens the program and serves HTTP until ctx is done, then shuts down
// gracefully: the listener closes, in-flight requests finish (up to the
// shutdown timeout) and the database is closed last.
func (m *Main) Serve(ctx context.Context) error {
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	events := event.NewRecorder(m.Keeper)
	conversations := conversation.NewService(m.Store, events, m.Config.MessagesPerMinute)
	sender := webhook.NewSender(webhook.SenderOptions{Timeout: m.Config.WebhookTimeout, AllowPrivate: m.Config.WebhookAllowPrivate,
		UserAgent: "CriaChat-Webhook/" + buildVersion() + " (+https://github.com/criachat/criachat)"})
	defer sender.Close()
	deliveries := webhook.NewWorker(m.Store, sender, m.Keeper, m.Log, webhook.WorkerOptions{
		Concurrency: m.Config.WebhookConcurrency, RetryFor: m.Config.WebhookRetryFor,
		CircuitThreshold: m.Config.WebhookCircuitThreshold, ProbeInterval: m.Config.WebhookProbeInterval,
	})
	srv := &http.Server{
		Handler: api.New(api.Options{
			Store: m.Store, Accounts: m.Accounts, Conversations: conversations, Events: events, Keeper: m.Keeper, Logger: m.Log,
			MaxBodyBytes: m.Config.MaxBodyBytes, BuildVersion: buildVersion(), DataDir: m.Config.DataDir,
			RateLimits: rateLimits(m.Config),
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	if m.Config.PprofAddr != "" {
		go func() {
			m.Log.Info("pprof listening", "addr", m.Config.PprofAddr)
			if err := http.ListenAndServe(m.Config.PprofAddr, pprofMux()); err != nil {
				m.Log.Error("pprof", "error", err)
			}
		}()
	}
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	m.Addr <- ln.Addr().String()
	m.Log.Info("criachat listening", "addr", ln.Addr().String(), "database", m.Store.Dialect(), "version", buildVersion())
	workers, stopWorkers := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(5)
	go func() { defer wg.Done(); deliveries.Run(workers) }()
	go func() { defer wg.Done(); m.sequenceEvents(workers, 2*time.Second) }()
	go func() { defer wg.Done(); m.janitor(workers, time.Hour) }()
	go func() { defer wg.Done(); m.sweepFiles(workers, 6*time.Hour) }()
	go func() { defer wg.Done(); m.reopenSnoozed(workers, conversations, time.Minute) }()
	defer func() { stopWorkers(); wg.Wait() }() // workers stop before the database closes

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.Log.Info("shutting down", "timeout", m.Config.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	m.Log.Info("stopped")
	return nil
}

// janitor deletes expired records (idempotency keys; events with their
// deliveries and attempts past CRIACHAT_EVENT_RETENTION) every interval until ctx ends.
func (m *Main) janitor(ctx context.Context, every time.Duration) {
	onTick(ctx, every, func() {
		keys, events, err := m.prune(ctx)
		if err != nil && ctx.Err() == nil {
			m.Log.Error("janitor", "error", err)
		} else if keys > 0 || events > 0 {
			m.Log.Info("janitor pruned expired records", "idempotency_keys", keys, "events", events)
		}
	})
}

// sequenceEvents numbers new events every interval until ctx ends, so that a
// feed read never has a long backlog to number first (the feed also numbers
// what is left before it reads).
func (m *Main) sequenceEvents(ctx context.Context, every time.Duration) {
	onTick(ctx, every, func() {
		accounts, err := m.Store.Read().UnsequencedAccounts(ctx)
		for _, id := range accounts {
			if err = m.Store.SequenceEvents(ctx, id); err != nil {
				break
			}
		}
		if err != nil && ctx.Err() == nil {
			m.Log.Error("sequence events", "error", err)
		}
	})
}

// rateLimits turns the configuration into the API's throttles (nil: off).
func rateLimits(c config.Config) *api.RateLimits {
	if c.RateLimit == 0 {
		return nil
	}
	return &api.RateLimits{PerIP: c.RateLimit, Allowed: c.RateLimitAllowed}
}

// prune deletes expired idempotency keys and events (in batches).
func (m *Main) prune(ctx context.Context) (keys, events int64, err error) {
	err = m.Store.Tx(ctx, func(q *store.Queries) (err error) {
		keys, err = q.PruneIdempotencyKeys(ctx, time.Now().Add(-api.IdempotencyTTL))
		return err
	})
	const batch = 2000
	for n := int64(batch); err == nil && n == batch; events += n {
		err = m.Store.Tx(ctx, func(q *store.Queries) (err error) {
			n, err = q.PruneEvents(ctx, time.Now().Add(-m.Config.EventRetention), batch)
			return err
		})
	}
	return keys, events, err
}

// sweepFiles removes, every interval until ctx ends, the uploaded files that
// no attachment names any more: those of deleted contacts, inboxes and
// accounts (their rows go by cascade), and those of requests that failed
// after writing them. A file is kept for an hour first, because it is
// written before the transaction that names it commits.
func (m *Main) sweepFiles(ctx context.Context, every time.Duration) {
	files := blob.New(m.Config.DataDir)
	onTick(ctx, every, func() {
		n, err := files.Sweep(ctx, time.Hour, func(ctx context.Context, accountID int64, keys []string) (map[string]bool, error) {
			return m.Store.Read().ReferencedStorageKeys(ctx, accountID, keys)
		})
		if err != nil && ctx.Err() == nil {
			m.Log.Error("sweep uploaded files", "error", err)
		} else if n > 0 {
			m.Log.Info("removed unreferenced uploaded files", "count", n)
		}
	})
}

// reopenSnoozed opens snoozed conversations whose snoozed_until has passed,
// every interval until ctx ends (Chatwoot's scheduler, reference §6.2).
func (m *Main) reopenSnoozed(ctx context.Context, svc *conversation.Service, every time.Duration) {
	onTick(ctx, every, func() {
		if n, err := svc.ReopenSnoozed(ctx); err != nil && ctx.Err() == nil {
			m.Log.Error("reopen snoozed conversations", "error", err)
		} else if n > 0 {
			m.Log.Info("reopened snoozed conversations", "count", n)
		}
	})
}

// pprofMux serves the runtime profiles (CRIACHAT_PPROF_ADDR), kept off the
// main listener so they are never exposed with the API.
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// userMessage is the message of an application error, or the error text.
func userMessage(err error) string {
	if e := (*criachat.Error)(nil); errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// onTick calls fn every interval until ctx ends (the loop of the background workers).
func onTick(ctx context.Context, every time.Duration, fn func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fn()
	}
}
