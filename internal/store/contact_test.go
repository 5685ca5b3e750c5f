package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// Contacts conformance (reference §3.4, §6.5, §9.5–9.7): the same assertions on
// SQLite and PostgreSQL.

func newAccount(t *testing.T, s *store.Store, name string) int64 {
	t.Helper()
	ctx := context.Background()
	a := &criachat.Account{Name: name}
	if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateAccount(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func createContact(t *testing.T, s *store.Store, c *criachat.Contact) *criachat.Contact {
	t.Helper()
	ctx := context.Background()
	if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateContact(ctx, c) }); err != nil {
		t.Fatalf("create %+v: %v", c, err)
	}
	return c
}

func recordInvalid(t *testing.T, err error, message string, attrs ...string) {
	t.Helper()
	var e *criachat.Error
	if !errors.As(err, &e) || e.Message != message || !slices.Equal(e.Attributes, attrs) {
		t.Fatalf("err = %v, want RecordInvalid %q %v", err, message, attrs)
	}
	if e.Code != criachat.EINVALID && e.Code != criachat.ECONFLICT {
		t.Fatalf("code = %s", e.Code)
	}
}

func TestContactRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acct := newAccount(t, s, "A")
		c := createContact(t, s, &criachat.Contact{AccountID: acct, Name: "Ann", Email: " Ann@Example.COM ", PhoneNumber: "+15551234567",
			Identifier: "ext-1", CustomAttributes: map[string]any{"plan": "pro", "seats": 3.0}, AdditionalAttributes: map[string]any{"city": "Lisbon"}})
		if c.ID == 0 || c.Email != "ann@example.com" || c.ContactType != criachat.ContactVisitor {
			t.Fatalf("created = %+v", c)
		}
		got, err := s.Read().Contact(ctx, acct, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Ann" || got.Email != "ann@example.com" || got.PhoneNumber != "+15551234567" || got.Identifier != "ext-1" ||
			got.CustomAttributes["seats"] != 3.0 || got.AdditionalAttributes["city"] != "Lisbon" || got.LastActivityAt != nil ||
			!got.CreatedAt.Equal(c.CreatedAt) || got.Blocked {
			t.Fatalf("read = %+v", got)
		}
		// Several contacts without email, phone or identifier: unset values do not collide.
		createContact(t, s, &criachat.Contact{AccountID: acct, Name: "x"})
		createContact(t, s, &criachat.Contact{AccountID: acct, Name: "y"})
		// Another account may reuse everything.
		other := newAccount(t, s, "B")
		createContact(t, s, &criachat.Contact{AccountID: other, Email: "ann@example.com", PhoneNumber: "+15551234567", Identifier: "ext-1"})
		if _, err := s.Read().Contact(ctx, other, c.ID); !criachat.IsNotFound(err) {
			t.Fatalf("contact of A through B: err = %v", err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteContact(ctx, other, c.ID) }); !criachat.IsNotFound(err) {
			t.Fatalf("delete through B: err = %v", err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteContact(ctx, acct, c.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().Contact(ctx, acct, c.ID); !criachat.IsNotFound(err) {
			t.Fatalf("deleted contact: err = %v", err)
		}
	})
}

func TestContactUniquenessAndFormats(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acct := newAccount(t, s, "A")
		first := createContact(t, s, &criachat.Contact{AccountID: acct, Email: "ann@x.io", PhoneNumber: "+4915112345678", Identifier: "id-1"})
		create := func(c *criachat.Contact) error {
			return s.Tx(ctx, func(q *store.Queries) error { return q.CreateContact(ctx, c) })
		}
		recordInvalid(t, create(&criachat.Contact{AccountID: acct, Email: "ANN@x.io"}), "Email has already been taken", "email")
		recordInvalid(t, create(&criachat.Contact{AccountID: acct, Identifier: "id-1"}), "Identifier has already been taken", "identifier")
		recordInvalid(t, create(&criachat.Contact{AccountID: acct, PhoneNumber: "+4915112345678"}), "Phone number has already been taken", "phone_number")
		recordInvalid(t, create(&criachat.Contact{AccountID: acct, Email: "not-an-email"}), "Email Invalid email", "email")
		recordInvalid(t, create(&criachat.Contact{AccountID: acct, PhoneNumber: "0151 1234"}), "Phone number should be in e164 format", "phone_number")
		recordInvalid(t, create(&criachat.Contact{AccountID: acct, PhoneNumber: "abc+15551234567"}), "Phone number should be in e164 format", "phone_number")
		recordInvalid(t, create(&criachat.Contact{AccountID: acct, Email: "ann@x.io", Identifier: "id-1", PhoneNumber: "12"}),
			"Email has already been taken, Identifier has already been taken, Phone number should be in e164 format",
			"email", "identifier", "phone_number")
		// An update keeps its own values and may not take another's.
		first.Name = "Renamed"
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateContact(ctx, first) }); err != nil {
			t.Fatal(err)
		}
		second := createContact(t, s, &criachat.Contact{AccountID: acct, Email: "bob@x.io"})
		second.Email = "Ann@X.io"
		err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateContact(ctx, second) })
		recordInvalid(t, err, "Email has already been taken", "email")
		got, _ := s.Read().Contact(ctx, acct, second.ID)
		if got.Email != "bob@x.io" {
			t.Fatalf("failed update changed the email: %q", got.Email)
		}
	})
}

// contactNames runs a query and returns the names in order.
func contactNames(t *testing.T, s *store.Store, cq store.ContactQuery) []string {
	t.Helper()
	list, err := s.Read().Contacts(context.Background(), cq)
	if err != nil {
		t.Fatalf("Contacts(%+v): %v", cq, err)
	}
	names := []string{}
	for _, c := range list {
		names = append(names, c.Name)
	}
	return names
}

func TestContactListSortAndPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acct := newAccount(t, s, "A")
		day := func(d int) *time.Time { v := time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC); return &v }
		createContact(t, s, &criachat.Contact{AccountID: acct, Name: "carol", Email: "c@x.io", LastActivityAt: day(3),
			AdditionalAttributes: map[string]any{"city": "Berlin", "company_name": "Zed", "country": "Germany"}})
		createContact(t, s, &criachat.Contact{AccountID: acct, Name: "Alice", PhoneNumber: "+15550000002", LastActivityAt: day(1),
			AdditionalAttributes: map[string]any{"city": "Amsterdam", "country": "Netherlands"}})
		createContact(t, s, &criachat.Contact{AccountID: acct, Name: "bob", Identifier: "b", Email: "b@x.io",
			AdditionalAttributes: map[string]any{"company_name": "Acme"}})
		createContact(t, s, &criachat.Contact{AccountID: acct, Name: "anonymous"}) // not identifiable
		base := store.ContactQuery{AccountID: acct, Identifiable: true}
		for _, tc := range []struct {
			sort string
			want []string
		}{
			{"", []string{"carol", "Alice", "bob"}},
			{"bogus", []string{"carol", "Alice", "bob"}},
			{"name", []string{"Alice", "bob", "carol"}},
			{"-name", []string{"carol", "bob", "Alice"}},
			{"email", []string{"bob", "carol", "Alice"}},
			{"-email", []string{"Alice", "carol", "bob"}},
			{"phone_number", []string{"Alice", "carol", "bob"}},
			{"last_activity_at", []string{"Alice", "carol", "bob"}},
			{"-last_activity_at", []string{"carol", "Alice", "bob"}},
			{"created_at", []string{"carol", "Alice", "bob"}},
			{"-created_at", []string{"bob", "Alice", "carol"}},
			{"city", []string{"Alice", "carol", "bob"}},
			{"-city", []string{"carol", "Alice", "bob"}},
			{"company_name", []string{"bob", "carol", "Alice"}},
			{"country", []string{"carol", "Alice", "bob"}},
		} {
			cq := base
			cq.Sort = tc.sort
			if got := contactNames(t, s, cq); !slices.Equal(got, tc.want) {
				t.Errorf("sort %q = %v, want %v", tc.sort, got, tc.want)
			}
		}
		n, err := s.Read().CountContacts(ctx, base)
		if err != nil || n != 3 {
			t.Fatalf("count = %d, %v", n, err)
		}
		all, _ := s.Read().CountContacts(ctx, store.ContactQuery{AccountID: acct})
		if all != 4 {
			t.Fatalf("count of all = %d", all)
		}
		page := base
		page.Sort, page.Limit, page.Offset = "name", 2, 2
		if got := contactNames(t, s, page); !slices.Equal(got, []string{"carol"}) {
			t.Fatalf("page 2 = %v", got)
		}
	})
}

func TestContactLabelsAndSearch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acct := newAccount(t, s, "A")
		ann := createContact(t, s, &criachat.Contact{AccountID: acct, Name: "Ann Lee", Email: "ann@x.io"})
		bob := createContact(t, s, &criachat.Contact{AccountID: acct, Name: "Bob", PhoneNumber: "+15551230000", Identifier: "CRM_42"})
		createContact(t, s, &criachat.Contact{AccountID: acct, Name: "100% Carl"})
		var got []string
		err := s.Tx(ctx, func(q *store.Queries) (err error) {
			got, err = q.SetContactLabels(ctx, acct, ann.ID, []string{" VIP ", "lead", "vip", ""})
			return err
		})
		if err != nil || !slices.Equal(got, []string{"vip", "lead"}) {
			t.Fatalf("set labels = %v, %v", got, err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error {
			_, err := q.SetContactLabels(ctx, acct, bob.ID, []string{"lead"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		labels, _ := s.Read().ContactLabels(ctx, acct, ann.ID)
		if !slices.Equal(labels, []string{"vip", "lead"}) {
			t.Fatalf("labels = %v", labels)
		}
		cq := store.ContactQuery{AccountID: acct, Labels: []string{"vip", "nope"}}
		if names := contactNames(t, s, cq); !slices.Equal(names, []string{"Ann Lee"}) {
			t.Fatalf("labels filter = %v", names)
		}
		cq.Labels = []string{"lead"}
		if n, _ := s.Read().CountContacts(ctx, cq); n != 2 {
			t.Fatalf("count with label lead = %d", n)
		}
		// Replace, then clear.
		_ = s.Tx(ctx, func(q *store.Queries) error {
			_, err := q.SetContactLabels(ctx, acct, ann.ID, []string{"Gold"})
			return err
		})
		labels, _ = s.Read().ContactLabels(ctx, acct, ann.ID)
		if !slices.Equal(labels, []string{"gold"}) {
			t.Fatalf("replaced labels = %v", labels)
		}
		other := newAccount(t, s, "B")
		if err := s.Tx(ctx, func(q *store.Queries) error {
			_, err := q.SetContactLabels(ctx, other, ann.ID, []string{"x"})
			return err
		}); !criachat.IsNotFound(err) {
			t.Fatalf("labels through another account: %v", err)
		}

		for _, tc := range []struct {
			q    string
			want []string
		}{
			{"ann", []string{"Ann Lee"}},
			{"X.IO", []string{"Ann Lee"}},
			{"5551230", []string{"Bob"}},
			{"crm_4", []string{"Bob"}},
			{"100%", []string{"100% Carl"}},
			{"%", []string{"100% Carl"}}, // wildcards match literally
			{"_", []string{"Bob"}},
			{"zzz", []string{}},
		} {
			if got := contactNames(t, s, store.ContactQuery{AccountID: acct, Search: tc.q}); !slices.Equal(got, tc.want) {
				t.Errorf("search %q = %v, want %v", tc.q, got, tc.want)
			}
		}
	})
}

// filterDefinitions are the contact attributes TestContactFilter's account defines.
var filterDefinitions = []*criachat.CustomAttributeDefinition{
	{Key: "plan", DisplayType: criachat.DisplayList, Model: criachat.ContactAttribute},
	{Key: "seats", DisplayType: criachat.DisplayNumber, Model: criachat.ContactAttribute},
	{Key: "vip", DisplayType: criachat.DisplayCheckbox, Model: criachat.ContactAttribute},
	{Key: "renewal", DisplayType: criachat.DisplayDate, Model: criachat.ContactAttribute},
	{Key: "a.b", DisplayType: criachat.DisplayText, Model: criachat.ContactAttribute},
}

// filterNames parses rows and returns the matching names ordered by id.
func filterNames(t *testing.T, s *store.Store, acct int64, rows ...criachat.FilterRow) []string {
	t.Helper()
	today := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	f, err := criachat.ParseContactFilter(rows, today, criachat.DefinedContactAttrs(filterDefinitions))
	if err != nil {
		t.Fatalf("parse %+v: %v", rows, err)
	}
	return contactNames(t, s, store.ContactQuery{AccountID: acct, Filter: f})
}

func row(key, op string, values ...any) criachat.FilterRow {
	return criachat.FilterRow{AttributeKey: key, FilterOperator: op, Values: values}
}

func TestContactFilter(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acct := newAccount(t, s, "A")
		at := func(y int, m time.Month, d, h int) *time.Time {
			v := time.Date(y, m, d, h, 0, 0, 0, time.UTC)
			return &v
		}
		ann := createContact(t, s, &criachat.Contact{AccountID: acct, Name: "Ann", Email: "ann@acme.io", PhoneNumber: "+4915100000001",
			Identifier: "A-1", LastActivityAt: at(2026, 1, 10, 23),
			AdditionalAttributes: map[string]any{"city": "Berlin", "country_code": "DE", "company_name": "Acme GmbH"},
			CustomAttributes:     map[string]any{"plan": "Pro", "seats": 12.0, "vip": true, "renewal": "2026-03-01", "a.b": "dot"}})
		createContact(t, s, &criachat.Contact{AccountID: acct, Name: "Bob", Email: "bob@other.io", PhoneNumber: "+15550000002", Blocked: true,
			AdditionalAttributes: map[string]any{"city": "Boston", "country_code": "us"},
			CustomAttributes:     map[string]any{"plan": "free", "seats": 2.0, "vip": false, "renewal": "2026-01-15"}})
		createContact(t, s, &criachat.Contact{AccountID: acct, Name: "Cleo", Identifier: "c-3", LastActivityAt: at(2025, 12, 1, 8),
			CustomAttributes: map[string]any{"seats": "many"}})
		_ = s.Tx(ctx, func(q *store.Queries) error {
			_, err := q.SetContactLabels(ctx, acct, ann.ID, []string{"vip"})
			return err
		})
		// Another account's contact never shows.
		other := newAccount(t, s, "B")
		createContact(t, s, &criachat.Contact{AccountID: other, Name: "Ann", Email: "ann@acme.io"})

		custom := func(r criachat.FilterRow) criachat.FilterRow { r.CustomAttributeType = "contact_attribute"; return r }
		or := func(r criachat.FilterRow) criachat.FilterRow { r.QueryOperator = "OR"; return r }
		and := func(r criachat.FilterRow) criachat.FilterRow { r.QueryOperator = "and"; return r }
		for _, tc := range []struct {
			name string
			rows []criachat.FilterRow
			want []string
		}{
			{"name eq is case-insensitive", []criachat.FilterRow{row("name", "equal_to", "ANN")}, []string{"Ann"}},
			{"name neq", []criachat.FilterRow{row("name", "not_equal_to", "ann")}, []string{"Bob", "Cleo"}},
			{"email contains any", []criachat.FilterRow{row("email", "contains", "ACME", "other")}, []string{"Ann", "Bob"}},
			{"email does not contain (null excluded)", []criachat.FilterRow{row("email", "does_not_contain", "acme")}, []string{"Bob"}},
			{"phone eq adds the plus", []criachat.FilterRow{row("phone_number", "equal_to", "15550000002")}, []string{"Bob"}},
			{"phone starts_with", []criachat.FilterRow{row("phone_number", "starts_with", "49")}, []string{"Ann"}},
			{"identifier", []criachat.FilterRow{row("identifier", "equal_to", "a-1")}, []string{"Ann"}},
			{"country_code", []criachat.FilterRow{row("country_code", "equal_to", "US")}, []string{"Bob"}},
			{"city contains", []criachat.FilterRow{row("city", "contains", "b")}, []string{"Ann", "Bob"}},
			{"company_name", []criachat.FilterRow{row("company_name", "equal_to", "acme gmbh")}, []string{"Ann"}},
			{"labels eq", []criachat.FilterRow{row("labels", "equal_to", "VIP")}, []string{"Ann"}},
			{"labels neq", []criachat.FilterRow{row("labels", "not_equal_to", "vip")}, []string{"Bob", "Cleo"}},
			{"labels present", []criachat.FilterRow{row("labels", "is_present")}, []string{"Ann"}},
			{"labels not present", []criachat.FilterRow{row("labels", "is_not_present")}, []string{"Bob", "Cleo"}},
			{"last activity after a day", []criachat.FilterRow{row("last_activity_at", "is_greater_than", "2026-01-09")}, []string{"Ann"}},
			{"last activity after its own day", []criachat.FilterRow{row("last_activity_at", "is_greater_than", "2026-01-10")}, []string{}},
			{"last activity before", []criachat.FilterRow{row("last_activity_at", "is_less_than", "2026-01-10")}, []string{"Cleo"}},
			{"days before", []criachat.FilterRow{row("last_activity_at", "days_before", "30")}, []string{"Cleo"}},
			{"created after", []criachat.FilterRow{row("created_at", "is_greater_than", "2000-01-01")}, []string{"Ann", "Bob", "Cleo"}},
			{"blocked", []criachat.FilterRow{row("blocked", "equal_to", true)}, []string{"Bob"}},
			{"not blocked (string value)", []criachat.FilterRow{row("blocked", "equal_to", "false")}, []string{"Ann", "Cleo"}},
			{"and", []criachat.FilterRow{and(row("email", "contains", "io")), row("city", "equal_to", "berlin")}, []string{"Ann"}},
			{"or", []criachat.FilterRow{or(row("name", "equal_to", "ann")), row("name", "equal_to", "cleo")}, []string{"Ann", "Cleo"}},
			// A OR B AND C is A OR (B AND C), as in Chatwoot's SQL.
			{"precedence", []criachat.FilterRow{or(row("name", "equal_to", "cleo")), and(row("name", "equal_to", "bob")), row("blocked", "equal_to", false)},
				[]string{"Cleo"}},
			{"custom text", []criachat.FilterRow{custom(row("plan", "equal_to", "pro"))}, []string{"Ann"}},
			{"custom text neq includes missing", []criachat.FilterRow{custom(row("plan", "not_equal_to", "pro"))}, []string{"Bob", "Cleo"}},
			{"custom contains", []criachat.FilterRow{custom(row("plan", "contains", "RE"))}, []string{"Bob"}},
			{"custom number gt skips non-numbers", []criachat.FilterRow{custom(row("seats", "is_greater_than", 5.0))}, []string{"Ann"}},
			{"custom number lt from a string", []criachat.FilterRow{custom(row("seats", "is_less_than", "5"))}, []string{"Bob"}},
			{"custom number eq", []criachat.FilterRow{custom(row("seats", "equal_to", 2.0))}, []string{"Bob"}},
			{"custom boolean", []criachat.FilterRow{custom(row("vip", "equal_to", true))}, []string{"Ann"}},
			{"custom boolean false", []criachat.FilterRow{custom(row("vip", "equal_to", false))}, []string{"Bob"}},
			{"custom date gt", []criachat.FilterRow{custom(row("renewal", "is_greater_than", "2026-02-01"))}, []string{"Ann"}},
			{"custom present", []criachat.FilterRow{custom(row("plan", "is_present"))}, []string{"Ann", "Bob"}},
			{"custom not present", []criachat.FilterRow{custom(row("plan", "is_not_present"))}, []string{"Cleo"}},
			{"custom key with a dot", []criachat.FilterRow{custom(row("a.b", "equal_to", "DOT"))}, []string{"Ann"}},
		} {
			if got := filterNames(t, s, acct, tc.rows...); !slices.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
		// Filters compose with the identifiable rule and paging; the count agrees.
		f, _ := criachat.ParseContactFilter([]criachat.FilterRow{row("created_at", "is_greater_than", "2000-01-01")}, time.Now(), nil)
		cq := store.ContactQuery{AccountID: acct, Filter: f, Identifiable: true, Sort: "-name", Limit: 1}
		if got := contactNames(t, s, cq); !slices.Equal(got, []string{"Cleo"}) {
			t.Fatalf("filtered page = %v", got)
		}
		if n, err := s.Read().CountContacts(ctx, cq); err != nil || n != 3 {
			t.Fatalf("filtered count = %d, %v", n, err)
		}
		// Dynamic queries also run inside a write transaction.
		err := s.Tx(ctx, func(q *store.Queries) error {
			list, err := q.Contacts(ctx, cq)
			if err == nil && len(list) != 1 {
				t.Errorf("in tx: %d contacts", len(list))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestMergeContacts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acct := newAccount(t, s, "A")
		u := &criachat.User{Name: "Agent", Email: "agent@x.io", PubsubToken: "p"}
		_ = s.Tx(ctx, func(q *store.Queries) error { return q.CreateUser(ctx, u) })
		base := createContact(t, s, &criachat.Contact{AccountID: acct, Name: "Base", Email: "base@x.io",
			CustomAttributes:     map[string]any{"plan": "pro", "nested": map[string]any{"a": 1.0}},
			AdditionalAttributes: map[string]any{}})
		mergee := createContact(t, s, &criachat.Contact{AccountID: acct, Name: "Mergee", Email: "m@x.io", PhoneNumber: "+15550001111",
			Identifier: "m-1", CustomAttributes: map[string]any{"plan": "free", "extra": "yes", "nested": map[string]any{"a": 2.0, "b": 3.0}},
			AdditionalAttributes: map[string]any{"city": "Porto"}})
		err := s.Tx(ctx, func(q *store.Queries) error {
			if _, err := q.SetContactLabels(ctx, acct, base.ID, []string{"a", "shared"}); err != nil {
				return err
			}
			if _, err := q.SetContactLabels(ctx, acct, mergee.ID, []string{"shared", "b"}); err != nil {
				return err
			}
			return q.CreateNote(ctx, &criachat.Note{AccountID: acct, ContactID: mergee.ID, UserID: &u.ID, Content: "from mergee"})
		})
		if err != nil {
			t.Fatal(err)
		}
		other := newAccount(t, s, "B")
		foreign := createContact(t, s, &criachat.Contact{AccountID: other, Name: "Foreign"})
		merge := func(acc, b, m int64) (*criachat.Contact, error) {
			var out *criachat.Contact
			err := s.Tx(ctx, func(q *store.Queries) (err error) { out, err = q.MergeContacts(ctx, acc, b, m); return err })
			return out, err
		}
		if _, err := merge(acct, base.ID, foreign.ID); !criachat.IsNotFound(err) {
			t.Fatalf("merge a foreign mergee: %v", err)
		}
		if _, err := merge(acct, foreign.ID, mergee.ID); !criachat.IsNotFound(err) {
			t.Fatalf("merge into a foreign base: %v", err)
		}
		if _, err := merge(acct, base.ID, base.ID); criachat.ErrorCode(err) != criachat.EINVALID {
			t.Fatalf("merge into itself: %v", err)
		}
		got, err := merge(acct, base.ID, mergee.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Base" || got.Email != "base@x.io" || got.PhoneNumber != "+15550001111" || got.Identifier != "m-1" {
			t.Fatalf("merged identity = %+v", got)
		}
		nested := got.CustomAttributes["nested"].(map[string]any)
		if got.CustomAttributes["plan"] != "pro" || got.CustomAttributes["extra"] != "yes" || nested["a"] != 1.0 || nested["b"] != 3.0 ||
			got.AdditionalAttributes["city"] != "Porto" {
			t.Fatalf("merged attributes = %v %v", got.CustomAttributes, got.AdditionalAttributes)
		}
		if _, err := s.Read().Contact(ctx, acct, mergee.ID); !criachat.IsNotFound(err) {
			t.Fatalf("mergee still there: %v", err)
		}
		labels, _ := s.Read().ContactLabels(ctx, acct, base.ID)
		if !slices.Equal(labels, []string{"a", "shared", "b"}) {
			t.Fatalf("merged labels = %v", labels)
		}
		notes, _ := s.Read().Notes(ctx, acct, base.ID)
		if len(notes) != 1 || notes[0].Content != "from mergee" {
			t.Fatalf("notes = %+v", notes)
		}
		stored, _ := s.Read().Contact(ctx, acct, base.ID)
		if stored.PhoneNumber != "+15550001111" || stored.CustomAttributes["extra"] != "yes" {
			t.Fatalf("stored base = %+v", stored)
		}
	})
}

func TestNotes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acct := newAccount(t, s, "A")
		u := &criachat.User{Name: "Agent", Email: "agent@x.io", PubsubToken: "p"}
		gone := &criachat.User{Name: "Gone", Email: "gone@x.io", PubsubToken: "g"}
		err := s.Tx(ctx, func(q *store.Queries) error {
			if err := q.CreateUser(ctx, u); err != nil {
				return err
			}
			if err := q.CreateUser(ctx, gone); err != nil {
				return err
			}
			return q.CreateAccountUser(ctx, &criachat.AccountUser{AccountID: acct, UserID: u.ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		c := createContact(t, s, &criachat.Contact{AccountID: acct, Name: "C"})
		add := func(n *criachat.Note) error {
			return s.Tx(ctx, func(q *store.Queries) error { return q.CreateNote(ctx, n) })
		}
		n1 := &criachat.Note{AccountID: acct, ContactID: c.ID, UserID: &u.ID, Content: "first"}
		n2 := &criachat.Note{AccountID: acct, ContactID: c.ID, UserID: &gone.ID, Content: "second"}
		if err := add(n1); err != nil {
			t.Fatal(err)
		}
		if err := add(n2); err != nil {
			t.Fatal(err)
		}
		recordInvalid(t, add(&criachat.Note{AccountID: acct, ContactID: c.ID, Content: "  "}), "Content can't be blank", "content")
		other := newAccount(t, s, "B")
		if err := add(&criachat.Note{AccountID: other, ContactID: c.ID, Content: "x"}); !criachat.IsNotFound(err) {
			t.Fatalf("note on another account's contact: %v", err)
		}
		notes, err := s.Read().Notes(ctx, acct, c.ID)
		if err != nil || len(notes) != 2 || notes[0].ID != n2.ID || notes[1].ID != n1.ID {
			t.Fatalf("notes (latest first) = %+v, %v", notes, err)
		}
		authors, err := s.Read().NoteAuthors(ctx, acct, c.ID)
		if err != nil || len(authors) != 1 || authors[u.ID].User.Name != "Agent" {
			t.Fatalf("authors = %v, %v (only members)", authors, err)
		}
		n1.Content = "edited"
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateNote(ctx, n1) }); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Read().Note(ctx, acct, c.ID, n1.ID)
		if got.Content != "edited" || *got.UserID != u.ID {
			t.Fatalf("updated note = %+v", got)
		}
		if _, err := s.Read().Note(ctx, other, c.ID, n1.ID); !criachat.IsNotFound(err) {
			t.Fatalf("note through another account: %v", err)
		}
		// Deleting the author keeps the note without one.
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteUser(ctx, gone.ID) }); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Read().Note(ctx, acct, c.ID, n2.ID)
		if got.UserID != nil {
			t.Fatalf("note of a deleted user = %+v", got)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteNote(ctx, acct, c.ID, n1.ID) }); err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteNote(ctx, acct, c.ID, n1.ID) }); !criachat.IsNotFound(err) {
			t.Fatalf("second delete: %v", err)
		}
		// Deleting the contact deletes its notes.
		_ = s.Tx(ctx, func(q *store.Queries) error { return q.DeleteContact(ctx, acct, c.ID) })
		if _, err := s.Read().Note(ctx, acct, c.ID, n2.ID); !criachat.IsNotFound(err) {
			t.Fatalf("note of a deleted contact: %v", err)
		}
	})
}

func TestContactInboxes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		ann := createContact(t, s, &criachat.Contact{AccountID: f.a.ID, Name: "Ann"})
		bob := createContact(t, s, &criachat.Contact{AccountID: f.a.ID, Name: "Bob"})
		foreign := createContact(t, s, &criachat.Contact{AccountID: f.b.ID, Name: "Foreign"})
		add := func(ci *criachat.ContactInbox) error {
			return s.Tx(ctx, func(q *store.Queries) error { return q.CreateContactInbox(ctx, ci) })
		}
		n := 0
		ci := func(acct, contact, inbox int64, source string) *criachat.ContactInbox {
			n++
			return &criachat.ContactInbox{AccountID: acct, ContactID: contact, InboxID: inbox, SourceID: source, PubsubToken: "pt-" + itoa(n)}
		}
		first := ci(f.a.ID, ann.ID, f.apiIn.ID, "src-1")
		if err := add(first); err != nil || first.ID == 0 {
			t.Fatalf("create: %v", err)
		}
		if err := add(ci(f.a.ID, ann.ID, f.widget.ID, "w-1")); err != nil {
			t.Fatal(err)
		}
		if err := add(ci(f.a.ID, bob.ID, f.apiIn.ID, "src-2")); err != nil {
			t.Fatal(err)
		}
		// The same source_id in another inbox is fine; in the same inbox it is taken.
		if err := add(ci(f.a.ID, bob.ID, f.widget.ID, "src-1")); err != nil {
			t.Fatal(err)
		}
		recordInvalid(t, add(ci(f.a.ID, bob.ID, f.apiIn.ID, "src-1")), "Source has already been taken", "source_id")
		recordInvalid(t, add(ci(f.a.ID, bob.ID, f.apiIn.ID, " ")), "Source can't be blank", "source_id")
		// Records of two tenants can never be joined.
		if err := add(ci(f.a.ID, ann.ID, f.bIn.ID, "x")); !criachat.IsNotFound(err) {
			t.Fatalf("another account's inbox: %v", err)
		}
		if err := add(ci(f.a.ID, foreign.ID, f.apiIn.ID, "y")); !criachat.IsNotFound(err) {
			t.Fatalf("another account's contact: %v", err)
		}
		if err := add(ci(f.b.ID, foreign.ID, f.apiIn.ID, "z")); !criachat.IsNotFound(err) {
			t.Fatalf("contact of B in A's inbox: %v", err)
		}
		list, err := s.Read().ContactInboxesOf(ctx, f.a.ID, []int64{ann.ID, bob.ID, foreign.ID})
		if err != nil || len(list) != 4 {
			t.Fatalf("ContactInboxesOf = %d, %v", len(list), err)
		}
		if list[0].SourceID != "src-1" || list[0].Inbox.Name != "Support API" || list[1].Inbox.ID != f.widget.ID || list[2].ContactID != bob.ID {
			t.Fatalf("ContactInboxesOf = %+v %+v", list[0], list[1])
		}
		if none, _ := s.Read().ContactInboxesOf(ctx, f.b.ID, []int64{ann.ID}); len(none) != 0 {
			t.Fatalf("A's contact inboxes through B: %v", none)
		}
		got, err := s.Read().ContactInboxBySource(ctx, f.a.ID, f.apiIn.ID, "src-2")
		if err != nil || got.ContactID != bob.ID {
			t.Fatalf("by source = %+v, %v", got, err)
		}
		if _, err := s.Read().ContactInboxBySource(ctx, f.b.ID, f.apiIn.ID, "src-2"); !criachat.IsNotFound(err) {
			t.Fatalf("by source through B: %v", err)
		}
		// A merge moves the contact inboxes; deleting an inbox removes its contact inboxes.
		if err := s.Tx(ctx, func(q *store.Queries) error { _, err := q.MergeContacts(ctx, f.a.ID, ann.ID, bob.ID); return err }); err != nil {
			t.Fatal(err)
		}
		list, _ = s.Read().ContactInboxesOf(ctx, f.a.ID, []int64{ann.ID})
		if len(list) != 4 {
			t.Fatalf("after merge ann has %d contact inboxes", len(list))
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteInbox(ctx, f.a.ID, f.widget.ID) }); err != nil {
			t.Fatal(err)
		}
		list, _ = s.Read().ContactInboxesOf(ctx, f.a.ID, []int64{ann.ID})
		if len(list) != 2 {
			t.Fatalf("after inbox delete ann has %d contact inboxes", len(list))
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestConcurrentDuplicateContacts: concurrent creates of one email end with
// one contact and RecordInvalid errors for the others, never a driver error
// (on PostgreSQL the uniqueness check can race; the insert's ON CONFLICT
// catches it).
func TestConcurrentDuplicateContacts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acct := newAccount(t, s, "A")
		const n = 8
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			go func() {
				errs <- s.Tx(ctx, func(q *store.Queries) error {
					return q.CreateContact(ctx, &criachat.Contact{AccountID: acct, Email: "same@x.io"})
				})
			}()
		}
		created := 0
		for i := 0; i < n; i++ {
			err := <-errs
			if err == nil {
				created++
				continue
			}
			recordInvalid(t, err, "Email has already been taken", "email")
		}
		if created != 1 {
			t.Fatalf("%d contacts created, want 1", created)
		}
	})
}
