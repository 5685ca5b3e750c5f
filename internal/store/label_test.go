package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// catalogFixture is two accounts; the first has two members (ann, an
// administrator, and bob), the second one (cat).
type catalogFixture struct {
	a, b          *criachat.Account
	ann, bob, cat *criachat.User
}

func newCatalogFixture(t *testing.T, s *store.Store) catalogFixture {
	t.Helper()
	ctx := context.Background()
	f := catalogFixture{
		a: &criachat.Account{Name: "A"}, b: &criachat.Account{Name: "B"},
		ann: &criachat.User{Name: "Ann", Email: "ann@a.io", PubsubToken: "pann"},
		bob: &criachat.User{Name: "bob", Email: "bob@a.io", PubsubToken: "pbob"},
		cat: &criachat.User{Name: "Cat", Email: "cat@b.io", PubsubToken: "pcat"},
	}
	err := s.Tx(ctx, func(q *store.Queries) error {
		for _, err := range []error{q.CreateAccount(ctx, f.a), q.CreateAccount(ctx, f.b),
			q.CreateUser(ctx, f.ann), q.CreateUser(ctx, f.bob), q.CreateUser(ctx, f.cat)} {
			if err != nil {
				return err
			}
		}
		for _, m := range []*criachat.AccountUser{
			{AccountID: f.a.ID, UserID: f.ann.ID, Role: criachat.RoleAdministrator},
			{AccountID: f.a.ID, UserID: f.bob.ID},
			{AccountID: f.b.ID, UserID: f.cat.ID, Role: criachat.RoleAdministrator},
		} {
			if err := q.CreateAccountUser(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// wantRecordInvalid fails unless err is an application error with the code, message and attribute.
func wantRecordInvalid(t *testing.T, err error, code, message, attr string) {
	t.Helper()
	var e *criachat.Error
	if !errors.As(err, &e) || e.Code != code || e.Message != message || len(e.Attributes) != 1 || e.Attributes[0] != attr {
		t.Fatalf("err = %v, want %s %q on %s", err, code, message, attr)
	}
}

func TestLabels(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newCatalogFixture(t, s)
		create := func(l *criachat.Label) error {
			return s.Tx(ctx, func(q *store.Queries) error { return q.CreateLabel(ctx, l) })
		}
		yes := true
		desc := "Money"
		billing := &criachat.Label{AccountID: f.a.ID, Title: "Billing", Description: &desc, ShowOnSidebar: &yes}
		if err := create(billing); err != nil {
			t.Fatal(err)
		}
		if billing.Title != "billing" || billing.Color != criachat.DefaultLabelColor {
			t.Fatalf("created label = %+v", billing)
		}
		for _, title := range []string{"zeta", "ações_2", "a-b"} {
			if err := create(&criachat.Label{AccountID: f.a.ID, Title: title, Color: "#000000"}); err != nil {
				t.Fatalf("%q: %v", title, err)
			}
		}
		// The same title in another account is fine; in the same account it is taken, whatever its case.
		if err := create(&criachat.Label{AccountID: f.b.ID, Title: "billing"}); err != nil {
			t.Fatal(err)
		}
		wantRecordInvalid(t, create(&criachat.Label{AccountID: f.a.ID, Title: "BILLING"}), criachat.ECONFLICT, "Title has already been taken", "title")
		wantRecordInvalid(t, create(&criachat.Label{AccountID: f.a.ID, Title: "two words"}), criachat.EINVALID, "Title is invalid", "title")
		wantRecordInvalid(t, create(&criachat.Label{AccountID: f.a.ID, Title: ""}), criachat.EINVALID, "Title must not be blank", "title")

		list, err := s.Read().Labels(ctx, f.a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, l := range list {
			titles = append(titles, l.Title)
		}
		if len(list) != 4 || titles[0] != "a-b" || titles[1] != "ações_2" || titles[2] != "billing" || titles[3] != "zeta" {
			t.Fatalf("labels not ordered by title: %v", titles)
		}
		got, err := s.Read().Label(ctx, f.a.ID, billing.ID)
		if err != nil || got.Description == nil || *got.Description != "Money" || got.ShowOnSidebar == nil || !*got.ShowOnSidebar {
			t.Fatalf("Label = %+v, %v", got, err)
		}
		if list[3].Description != nil || list[3].ShowOnSidebar != nil {
			t.Fatalf("unset description and show_on_sidebar must stay null: %+v", list[3])
		}
		// Tenancy: another account's id is not found, for reads, updates and deletes.
		if _, err := s.Read().Label(ctx, f.b.ID, billing.ID); !criachat.IsNotFound(err) {
			t.Fatalf("label through another account: %v", err)
		}
		stolen := *got
		stolen.AccountID = f.b.ID
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateLabel(ctx, &stolen) }); !criachat.IsNotFound(err) {
			t.Fatalf("update through another account: %v", err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteLabel(ctx, f.b.ID, billing.ID) }); !criachat.IsNotFound(err) {
			t.Fatalf("delete through another account: %v", err)
		}
		got.Title = "Zeta"
		err = s.Tx(ctx, func(q *store.Queries) error { return q.UpdateLabel(ctx, got) })
		wantRecordInvalid(t, err, criachat.ECONFLICT, "Title has already been taken", "title")
		got.Title, got.Color = "finance", "#ff0000"
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateLabel(ctx, got) }); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.Read().Label(ctx, f.a.ID, billing.ID); again.Title != "finance" || again.Color != "#ff0000" {
			t.Fatalf("updated label = %+v", again)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteLabel(ctx, f.a.ID, billing.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().Label(ctx, f.a.ID, billing.ID); !criachat.IsNotFound(err) {
			t.Fatalf("deleted label: %v", err)
		}
	})
}
