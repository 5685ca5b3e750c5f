package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// The conformance suite: every test here runs on SQLite and on PostgreSQL.

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		applied, err := s.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second Migrate applied %v, want nothing", applied)
		}
	})
}

func TestAccountRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := &criachat.Account{Name: " Acme ", CustomAttributes: map[string]any{"plan_name": "pro"}}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateAccount(ctx, a) }); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.Name != "Acme" || a.Status != criachat.AccountActive || a.Locale != "en" {
			t.Fatalf("created account = %+v", a)
		}
		got, err := s.Read().Account(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Acme" || got.CustomAttributes["plan_name"] != "pro" || !got.Features["channel_api"] || !got.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("read account = %+v", got)
		}
		got.Status = criachat.AccountSuspended
		got.Name = "Acme 2"
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateAccount(ctx, got) }); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Read().Account(ctx, a.ID)
		if again.Status != criachat.AccountSuspended || again.Name != "Acme 2" {
			t.Fatalf("updated account = %+v", again)
		}
		if _, err := s.Read().Account(ctx, a.ID+100); !criachat.IsNotFound(err) {
			t.Fatalf("missing account: err = %v, want ENOTFOUND", err)
		}
		bad := &criachat.Account{Name: ""}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateAccount(ctx, bad) }); criachat.ErrorCode(err) != criachat.EINVALID {
			t.Fatalf("blank name: err = %v, want EINVALID", err)
		}
	})
}

func TestUserEmailUniqueCaseInsensitive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u1 := &criachat.User{Name: "Ann", Email: "Ann@Example.com", PubsubToken: "p1"}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateUser(ctx, u1) }); err != nil {
			t.Fatal(err)
		}
		if u1.Email != "ann@example.com" {
			t.Fatalf("email not normalised: %q", u1.Email)
		}
		u2 := &criachat.User{Name: "Ann 2", Email: "ANN@example.COM", PubsubToken: "p2"}
		err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateUser(ctx, u2) })
		var e *criachat.Error
		if !errors.As(err, &e) || e.Code != criachat.ECONFLICT || e.Message != "Email has already been taken" {
			t.Fatalf("duplicate email: err = %v", err)
		}
		got, err := s.Read().UserByEmail(ctx, "ANN@EXAMPLE.COM")
		if err != nil || got.ID != u1.ID {
			t.Fatalf("UserByEmail = %+v, %v", got, err)
		}
	})
}

func TestMembershipsAndAgents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var acct criachat.Account
		var zed, amy criachat.User
		err := s.Tx(ctx, func(q *store.Queries) error {
			acct = criachat.Account{Name: "A"}
			zed = criachat.User{Name: "zed", Email: "z@x.io", PubsubToken: "pz"}
			amy = criachat.User{Name: "Amy", Email: "a@x.io", PubsubToken: "pa"}
			for _, err := range []error{q.CreateAccount(ctx, &acct), q.CreateUser(ctx, &zed), q.CreateUser(ctx, &amy)} {
				if err != nil {
					return err
				}
			}
			if err := q.CreateAccountUser(ctx, &criachat.AccountUser{AccountID: acct.ID, UserID: zed.ID, Role: criachat.RoleAdministrator, AutoOffline: true}); err != nil {
				return err
			}
			return q.CreateAccountUser(ctx, &criachat.AccountUser{AccountID: acct.ID, UserID: amy.ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		agents, err := s.Read().Agents(ctx, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(agents) != 2 || agents[0].User.Name != "Amy" || agents[1].User.Name != "zed" {
			t.Fatalf("agents not ordered by lower(name): %+v", agents)
		}
		if agents[1].Member.Role != criachat.RoleAdministrator || !agents[1].Member.AutoOffline || agents[0].Member.AutoOffline {
			t.Fatalf("member fields wrong: %+v %+v", agents[0].Member, agents[1].Member)
		}
		dup := &criachat.AccountUser{AccountID: acct.ID, UserID: amy.ID}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateAccountUser(ctx, dup) }); criachat.ErrorCode(err) != criachat.ECONFLICT {
			t.Fatalf("duplicate membership: err = %v", err)
		}
		ghost := &criachat.AccountUser{AccountID: acct.ID + 50, UserID: amy.ID}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateAccountUser(ctx, ghost) }); criachat.ErrorCode(err) != criachat.ENOTFOUND {
			t.Fatalf("membership of missing account: err = %v", err)
		}
		m, err := s.Read().AccountUser(ctx, acct.ID, zed.ID)
		if err != nil || m.Account.Name != "A" {
			t.Fatalf("AccountUser = %+v, %v", m, err)
		}
		now := time.Now()
		m.ActiveAt = &now
		m.Availability = criachat.AvailabilityBusy
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateAccountUser(ctx, m) }); err != nil {
			t.Fatal(err)
		}
		list, _ := s.Read().AccountUsersOfUser(ctx, zed.ID)
		if len(list) != 1 || list[0].Availability != criachat.AvailabilityBusy || list[0].ActiveAt == nil {
			t.Fatalf("AccountUsersOfUser = %+v", list)
		}
		// Deleting the account cascades to memberships.
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteAccount(ctx, acct.ID) }); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Read().CountAccountsOfUser(ctx, zed.ID); n != 0 {
			t.Fatalf("memberships left after account delete: %d", n)
		}
	})
}

func TestAccessTokensAndSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := &criachat.User{Name: "T", Email: "t@x.io", PubsubToken: "pt"}
		if err := s.Tx(ctx, func(q *store.Queries) error {
			if err := q.CreateUser(ctx, u); err != nil {
				return err
			}
			return q.SetAccessToken(ctx, &criachat.AccessToken{OwnerType: criachat.OwnerUser, OwnerID: u.ID, Hash: "h1", Encrypted: "e1"})
		}); err != nil {
			t.Fatal(err)
		}
		tok, err := s.Read().AccessTokenByHash(ctx, "h1")
		if err != nil || tok.OwnerID != u.ID || tok.OwnerType != criachat.OwnerUser {
			t.Fatalf("AccessTokenByHash = %+v, %v", tok, err)
		}
		// Rotation replaces the old token.
		if err := s.Tx(ctx, func(q *store.Queries) error {
			return q.SetAccessToken(ctx, &criachat.AccessToken{OwnerType: criachat.OwnerUser, OwnerID: u.ID, Hash: "h2", Encrypted: "e2"})
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().AccessTokenByHash(ctx, "h1"); !criachat.IsNotFound(err) {
			t.Fatalf("old token still found: %v", err)
		}
		for i := 0; i < 30; i++ {
			sess := &criachat.Session{UserID: u.ID, Client: string(rune('a' + i)), TokenHash: "x", ExpiresAt: time.Now().Add(time.Hour)}
			if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateSession(ctx, sess) }); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Read().Session(ctx, u.ID, "a"); !criachat.IsNotFound(err) {
			t.Fatalf("oldest session kept beyond the device limit: %v", err)
		}
		if _, err := s.Read().Session(ctx, u.ID, string(rune('a'+29))); err != nil {
			t.Fatalf("newest session missing: %v", err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteUser(ctx, u.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().AccessTokenByHash(ctx, "h2"); !criachat.IsNotFound(err) {
			t.Fatalf("token survives its user: %v", err)
		}
	})
}

func TestTxRollsBack(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		var id int64
		err := s.Tx(ctx, func(q *store.Queries) error {
			a := &criachat.Account{Name: "gone"}
			if err := q.CreateAccount(ctx, a); err != nil {
				return err
			}
			id = a.ID
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx error = %v", err)
		}
		if _, err := s.Read().Account(ctx, id); !criachat.IsNotFound(err) {
			t.Fatalf("rolled back account exists: %v", err)
		}
	})
}

func TestPlatformPermissibles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		app := &criachat.PlatformApp{Name: "host"}
		a := &criachat.Account{Name: "tenant"}
		if err := s.Tx(ctx, func(q *store.Queries) error {
			if err := q.CreatePlatformApp(ctx, app); err != nil {
				return err
			}
			if err := q.CreateAccount(ctx, a); err != nil {
				return err
			}
			if err := q.AddPermissible(ctx, app.ID, store.PermissibleAccount, a.ID); err != nil {
				return err
			}
			return q.AddPermissible(ctx, app.ID, store.PermissibleAccount, a.ID) // idempotent
		}); err != nil {
			t.Fatal(err)
		}
		ok, err := s.Read().Permissible(ctx, app.ID, store.PermissibleAccount, a.ID)
		if err != nil || !ok {
			t.Fatalf("Permissible = %v, %v", ok, err)
		}
		if ok, _ := s.Read().Permissible(ctx, app.ID, store.PermissibleUser, a.ID); ok {
			t.Fatal("permissible of the wrong type")
		}
		list, err := s.Read().PlatformAccounts(ctx, app.ID)
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("PlatformAccounts = %v, %v", list, err)
		}
	})
}

// TestIDsNotReused: a deleted row's id is never handed out again, on either
// database (integrators and webhook receivers key on ids).
func TestIDsNotReused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		create := func() int64 {
			a := &criachat.Account{Name: "x"}
			if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateAccount(ctx, a) }); err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		first := create()
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteAccount(ctx, first) }); err != nil {
			t.Fatal(err)
		}
		if second := create(); second == first {
			t.Fatalf("id %d reused after delete", first)
		}
	})
}

func TestIdempotencyKeyExpiry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := &criachat.Account{Name: "x"}
		claim := func(hash string, ttl time.Duration) (*store.IdempotencyKey, bool) {
			var got *store.IdempotencyKey
			var ok bool
			err := s.Tx(ctx, func(q *store.Queries) (err error) {
				got, ok, err = q.ClaimIdempotencyKey(ctx, &store.IdempotencyKey{AccountID: a.ID, UserID: 1, Key: "k", RequestHash: hash}, ttl)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return got, ok
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateAccount(ctx, a) }); err != nil {
			t.Fatal(err)
		}
		if _, ok := claim("h1", time.Hour); !ok {
			t.Fatal("first claim refused")
		}
		if got, ok := claim("h2", time.Hour); ok || got.RequestHash != "h1" || got.Status != 0 {
			t.Fatalf("second claim = %+v, %v; want the first, pending", got, ok)
		}
		time.Sleep(2 * time.Millisecond)
		if _, ok := claim("h3", time.Millisecond); !ok {
			t.Fatal("an expired key was not replaced")
		}
		n, err := func() (n int64, err error) {
			err = s.Tx(ctx, func(q *store.Queries) error {
				n, err = q.PruneIdempotencyKeys(ctx, time.Now().Add(time.Hour))
				return err
			})
			return
		}()
		if err != nil || n != 1 {
			t.Fatalf("prune = %d, %v", n, err)
		}
	})
}

// TestConcurrentTxIsolation: many concurrent write transactions (batched into
// shared commits on SQLite) each keep all-or-nothing: failed ones leave
// nothing behind, successful ones all land, and a panic reaches its caller.
func TestConcurrentTxIsolation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		ids := make([]int64, 40)
		errs := make([]error, 40)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.Tx(ctx, func(q *store.Queries) error {
					a := &criachat.Account{Name: fmt.Sprint("acct ", i)}
					if err := q.CreateAccount(ctx, a); err != nil {
						return err
					}
					ids[i] = a.ID
					if i%3 == 0 {
						return fmt.Errorf("fail %d", i)
					}
					return nil
				})
			}()
		}
		wg.Wait()
		// A failed transaction's id may be handed out again within a shared
		// SQLite commit (its insert was rolled back), so check by name.
		for i, id := range ids {
			a, err := s.Read().Account(ctx, id)
			landed := err == nil && a.Name == fmt.Sprint("acct ", i)
			switch {
			case i%3 == 0 && (errs[i] == nil || landed):
				t.Errorf("tx %d failed (%v) but its account exists", i, errs[i])
			case i%3 != 0 && (errs[i] != nil || !landed):
				t.Errorf("tx %d: err %v, read %+v %v", i, errs[i], a, err)
			}
		}
		func() {
			defer func() {
				if p := recover(); p != "boom" {
					t.Fatalf("recovered %v, want the panic value", p)
				}
			}()
			_ = s.Tx(ctx, func(q *store.Queries) error { panic("boom") })
		}()
		// The store still works after a panic.
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateAccount(ctx, &criachat.Account{Name: "after"}) }); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAnalyze(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		if err := s.Analyze(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}
