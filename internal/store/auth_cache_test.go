package store_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// TestMemberCacheFollowsWrites: a cached member row is never served after a
// write of this process changed it (the TTL is the default, 5 s, far longer
// than the test), and every caller gets objects of its own.
func TestMemberCacheFollowsWrites(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		tx := func(fn func(q *store.Queries) error) {
			t.Helper()
			if err := s.Tx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		tx(func(q *store.Queries) error {
			return q.SetAccessToken(ctx, &criachat.AccessToken{OwnerType: criachat.OwnerUser, OwnerID: f.ann.ID, Hash: "h1", Encrypted: "e1"})
		})
		member := func(hash string) (*criachat.User, *criachat.AccountUser, error) {
			t.Helper()
			_, u, m, err := s.MemberByTokenHash(ctx, hash, f.a.ID)
			return u, m, err
		}
		u, m, err := member("h1")
		if err != nil || u.ID != f.ann.ID || m.Role != criachat.RoleAgent || m.Account.ID != f.a.ID {
			t.Fatalf("member = %+v %+v %v", u, m, err)
		}
		// Objects of its own: changing one caller's maps does not reach the next.
		m.Account.Features["mutated"] = true
		u.UISettings["mutated"] = true
		if u, m, _ := member("h1"); m.Account.Features["mutated"] || u.UISettings["mutated"] != nil {
			t.Fatal("a cached member shares maps between callers")
		}
		if _, _, _, err := s.MemberByTokenHash(ctx, "h1", f.b.ID); criachat.ErrorCode(err) != criachat.ENOTFOUND {
			t.Fatalf("member of another account = %v, want not found", err)
		}

		// Role change.
		m.Role = criachat.RoleAdministrator
		tx(func(q *store.Queries) error { return q.UpdateAccountUser(ctx, m) })
		if _, m, _ := member("h1"); m.Role != criachat.RoleAdministrator {
			t.Fatalf("role after the update = %s", m.Role)
		}
		// Account suspended.
		acct := m.Account
		acct.Status = criachat.AccountSuspended
		tx(func(q *store.Queries) error { return q.UpdateAccount(ctx, acct) })
		if _, m, _ := member("h1"); m.Account.Status != criachat.AccountSuspended {
			t.Fatalf("account status after suspension = %v", m.Account.Status)
		}
		// User renamed.
		u.Name = "Ann Renamed"
		tx(func(q *store.Queries) error { return q.UpdateUser(ctx, u) })
		if u, _, _ := member("h1"); u.Name != "Ann Renamed" {
			t.Fatalf("name after the update = %q", u.Name)
		}
		// Token rotated: the old one stops working at once.
		tx(func(q *store.Queries) error {
			return q.SetAccessToken(ctx, &criachat.AccessToken{OwnerType: criachat.OwnerUser, OwnerID: f.ann.ID, Hash: "h2", Encrypted: "e2"})
		})
		if _, _, err := member("h1"); criachat.ErrorCode(err) != criachat.ENOTFOUND {
			t.Fatalf("rotated-out token = %v, want not found", err)
		}
		if _, _, err := member("h2"); err != nil {
			t.Fatal(err)
		}
		// A write rolled back leaves the cache usable and correct.
		_ = s.Tx(ctx, func(q *store.Queries) error {
			if err := q.DeleteAccountUser(ctx, f.a.ID, f.ann.ID); err != nil {
				return err
			}
			return criachat.Errorf(criachat.EINVALID, "changed my mind")
		})
		if _, _, err := member("h2"); err != nil {
			t.Fatalf("member after a rolled-back removal = %v", err)
		}
		// Removed from the account.
		tx(func(q *store.Queries) error { return q.DeleteAccountUser(ctx, f.a.ID, f.ann.ID) })
		if _, _, err := member("h2"); criachat.ErrorCode(err) != criachat.ENOTFOUND {
			t.Fatalf("removed member = %v, want not found", err)
		}
		// Deleted user.
		tx(func(q *store.Queries) error {
			return q.SetAccessToken(ctx, &criachat.AccessToken{OwnerType: criachat.OwnerUser, OwnerID: f.bob.ID, Hash: "hb", Encrypted: "eb"})
		})
		if _, _, err := member("hb"); err != nil {
			t.Fatal(err)
		}
		tx(func(q *store.Queries) error { return q.DeleteUser(ctx, f.bob.ID) })
		if _, _, err := member("hb"); criachat.ErrorCode(err) != criachat.ENOTFOUND {
			t.Fatalf("deleted user = %v, want not found", err)
		}
	})
}

// authWrite matches a statement that changes a row MemberByTokenHash reads.
// Inserts cannot change a row already found; the accounts' sequence counters
// are not read by it.
var (
	authWrite   = regexp.MustCompile(`(?is)^\s*(UPDATE|DELETE\s+FROM)\s+(users|access_tokens|account_users|accounts)\b`)
	counterOnly = regexp.MustCompile(`(?is)^\s*UPDATE\s+accounts\s+SET\s+(event_seq|conversation_seq)\s*=`)
)

// TestAuthWritesInvalidateMemberCache finds every statement of the store
// that changes users, access tokens, memberships or accounts and checks
// that its function calls authChanged, so that a future write cannot leave
// a revoked token or removed member served from the cache.
func TestAuthWritesInvalidateMemberCache(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			var writes []string
			calls := false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BasicLit:
					if n.Kind == token.STRING {
						if s, err := strconv.Unquote(n.Value); err == nil && authWrite.MatchString(s) && !counterOnly.MatchString(s) {
							writes = append(writes, fset.Position(n.Pos()).String())
						}
					}
				case *ast.SelectorExpr:
					if n.Sel.Name == "authChanged" {
						calls = true
					}
				}
				return true
			})
			found += len(writes)
			if len(writes) > 0 && !calls {
				t.Errorf("%s writes a table the member cache reads (%s) but does not call q.authChanged()", fn.Name.Name, strings.Join(writes, ", "))
			}
		}
	}
	if found < 8 {
		t.Fatalf("found only %d auth writes: the pattern no longer matches the store's SQL", found)
	}
}
