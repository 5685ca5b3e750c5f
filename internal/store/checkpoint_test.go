package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// TestSQLiteWALStaysBounded: the writer never checkpoints itself (a
// background loop does, on a read connection), yet the WAL is restarted from
// its beginning once it is long, so a busy store's WAL file does not grow
// without bound. Without the writer's finishing step it grew by every page
// ever written (270 MB here, hundreds of MB in a load run).
func TestSQLiteWALStaysBounded(t *testing.T) {
	url := storetest.URL(t, "sqlite")
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	acct := criachat.Account{Name: "A"}
	if err := st.Tx(ctx, func(q *store.Queries) error { return q.CreateAccount(ctx, &acct) }); err != nil {
		t.Fatal(err)
	}
	// Thousands of pages: several times the WAL length that triggers a restart.
	payload := []byte(`{"pad":"` + strings.Repeat("x", 6000) + `"}`)
	deadline := time.Now().Add(time.Minute)
	for i := 0; i < 8000 && time.Now().Before(deadline); i++ {
		if err := st.Tx(ctx, func(q *store.Queries) error {
			return q.AppendEvent(ctx, &criachat.Event{AccountID: acct.ID, Type: criachat.EventContactCreated, Payload: payload}, store.EventRoute{})
		}); err != nil {
			t.Fatal(err)
		}
	}
	frames, _, err := store.WALFrames(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("WAL holds %d frames", frames)
	if frames > 3*4096 {
		t.Fatalf("WAL holds %d frames (%d MB) after 8,000 transactions; it should start over once past 16 MB", frames, frames*4096>>20)
	}
}
