package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// Inbox conformance: every test runs on SQLite and PostgreSQL.

// inboxFixture is two accounts; account A has an administrator and two
// agents, account B one administrator.
type inboxFixture struct {
	a, b               criachat.Account
	admin, ann, bob    criachat.User
	bAdmin             criachat.User
	apiIn, widget, bIn *criachat.Inbox
}

func newInboxFixture(t testing.TB, s *store.Store) *inboxFixture {
	t.Helper()
	ctx := context.Background()
	f := &inboxFixture{a: criachat.Account{Name: "A"}, b: criachat.Account{Name: "B"}}
	f.admin = criachat.User{Name: "Zoe Admin", Email: "zoe@a.io", PubsubToken: "p1"}
	f.ann = criachat.User{Name: "ann", Email: "ann@a.io", PubsubToken: "p2"}
	f.bob = criachat.User{Name: "Bob", Email: "bob@a.io", PubsubToken: "p3"}
	f.bAdmin = criachat.User{Name: "Bea", Email: "bea@b.io", PubsubToken: "p4"}
	err := s.Tx(ctx, func(q *store.Queries) error {
		for _, a := range []*criachat.Account{&f.a, &f.b} {
			if err := q.CreateAccount(ctx, a); err != nil {
				return err
			}
		}
		for _, u := range []*criachat.User{&f.admin, &f.ann, &f.bob, &f.bAdmin} {
			if err := q.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		for _, m := range []*criachat.AccountUser{
			{AccountID: f.a.ID, UserID: f.admin.ID, Role: criachat.RoleAdministrator},
			{AccountID: f.a.ID, UserID: f.ann.ID}, {AccountID: f.a.ID, UserID: f.bob.ID},
			{AccountID: f.b.ID, UserID: f.bAdmin.ID, Role: criachat.RoleAdministrator},
		} {
			if err := q.CreateAccountUser(ctx, m); err != nil {
				return err
			}
		}
		f.apiIn = criachat.NewInbox(f.a.ID, criachat.ChannelAPI)
		f.apiIn.Name, f.apiIn.Identifier, f.apiIn.HMACTokenSealed, f.apiIn.SecretSealed = "Support API", "ident-1", "sealed-h", "sealed-s"
		f.widget = criachat.NewInbox(f.a.ID, criachat.ChannelWebWidget)
		f.widget.Name, f.widget.WebsiteToken, f.widget.WebsiteURL, f.widget.HMACTokenSealed = "acme site", "site-1", "https://acme.io", "sealed-w"
		f.bIn = criachat.NewInbox(f.b.ID, criachat.ChannelAPI)
		f.bIn.Name, f.bIn.Identifier, f.bIn.HMACTokenSealed, f.bIn.SecretSealed = "B API", "ident-b", "x", "y"
		for _, in := range []*criachat.Inbox{f.apiIn, f.widget, f.bIn} {
			if err := q.CreateInbox(ctx, in); err != nil {
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

func TestInboxRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		got, err := s.Read().Inbox(ctx, f.a.ID, f.apiIn.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, f.apiIn) {
			t.Fatalf("read inbox differs:\n got %+v\nwant %+v", got, f.apiIn)
		}
		if !got.EnableAutoAssignment || !got.AllowMessagesAfterResolved || got.Timezone != "UTC" ||
			len(got.WorkingHours) != 7 || !got.WorkingHours[0].ClosedAllDay || *got.WorkingHours[1].OpenHour != 9 {
			t.Fatalf("defaults not kept: %+v", got)
		}
		w, err := s.Read().Inbox(ctx, f.a.ID, f.widget.ID)
		if err != nil || !reflect.DeepEqual(w, f.widget) {
			t.Fatalf("widget = %+v, %v", w, err)
		}
		if w.WidgetColor != "#1f93ff" || w.ReplyTime != criachat.ReplyInAFewMinutes || !w.ContinuityViaEmail ||
			!reflect.DeepEqual(w.FeatureFlags, []string{"attachments", "emoji_picker", "end_conversation"}) ||
			w.PreChatFormOptions["pre_chat_message"] != "Share your queries or comments here." {
			t.Fatalf("widget defaults: %+v", w)
		}

		// Every field survives an update.
		msg, title := "Hello", "Hi there"
		got.Name, got.GreetingEnabled, got.GreetingMessage = "Support", true, &msg
		got.CSATConfig = map[string]any{"display_type": "star"}
		got.AutoAssignmentConfig = map[string]any{"max_assignment_limit": float64(3)}
		got.WorkingHours[0].ClosedAllDay, got.WorkingHours[0].OpenAllDay = false, true
		got.Timezone, got.SenderNameType, got.BusinessName = "America/Sao_Paulo", criachat.SenderProfessional, &title
		got.HMACMandatory, got.WebhookURL = true, &msg
		*got.WebhookURL = "https://hooks.example.com/x"
		got.AdditionalAttributes = map[string]any{"agent_reply_time_window": float64(12)}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateInbox(ctx, got) }); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Read().Inbox(ctx, f.a.ID, got.ID)
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("updated inbox differs:\n got %+v\nwant %+v", again, got)
		}
		if h := again.WorkingHours[0]; *h.OpenHour != 0 || *h.CloseHour != 23 || *h.CloseMinutes != 59 {
			t.Fatalf("open all day hours not filled: %+v", h)
		}

		// Public keys.
		if in, err := s.Read().InboxByIdentifier(ctx, "ident-1"); err != nil || in.ID != f.apiIn.ID {
			t.Fatalf("InboxByIdentifier = %v, %v", in, err)
		}
		if in, err := s.Read().InboxByWebsiteToken(ctx, "site-1"); err != nil || in.ID != f.widget.ID {
			t.Fatalf("InboxByWebsiteToken = %v, %v", in, err)
		}
		for _, err := range []error{
			errOnly(s.Read().InboxByIdentifier(ctx, "")), errOnly(s.Read().InboxByIdentifier(ctx, "site-1")),
			errOnly(s.Read().InboxByWebsiteToken(ctx, "ident-1")), errOnly(s.Read().InboxByWebsiteToken(ctx, "")),
		} {
			if !criachat.IsNotFound(err) {
				t.Fatalf("lookup by the wrong key: err = %v, want ENOTFOUND", err)
			}
		}

		// Tenancy: B's inbox through A, and A's through B, do not exist.
		if _, err := s.Read().Inbox(ctx, f.a.ID, f.bIn.ID); !criachat.IsNotFound(err) {
			t.Fatalf("B's inbox via A: err = %v", err)
		}
		foreign := *f.bIn
		foreign.AccountID = f.a.ID
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateInbox(ctx, &foreign) }); !criachat.IsNotFound(err) {
			t.Fatalf("update B's inbox via A: err = %v", err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteInbox(ctx, f.a.ID, f.bIn.ID) }); !criachat.IsNotFound(err) {
			t.Fatalf("delete B's inbox via A: err = %v", err)
		}

		// Lists.
		list, err := s.Read().Inboxes(ctx, f.a.ID)
		if err != nil || len(list) != 2 || list[0].Name != "acme site" || list[1].Name != "Support" {
			t.Fatalf("Inboxes not ordered by lower(name): %v, %v", inboxNames(list), err)
		}
		byIDs, err := s.Read().InboxesByIDs(ctx, f.a.ID, []int64{f.widget.ID, f.bIn.ID, f.apiIn.ID, 999})
		if err != nil || len(byIDs) != 2 || byIDs[0].ID != f.apiIn.ID || byIDs[1].ID != f.widget.ID {
			t.Fatalf("InboxesByIDs = %v, %v", inboxNames(byIDs), err)
		}
		if none, err := s.Read().InboxesByIDs(ctx, f.a.ID, nil); err != nil || len(none) != 0 {
			t.Fatalf("InboxesByIDs(nil) = %v, %v", none, err)
		}
		if n, err := s.Read().CountInboxes(ctx, f.a.ID); err != nil || n != 2 {
			t.Fatalf("CountInboxes = %d, %v", n, err)
		}

		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteInbox(ctx, f.a.ID, f.widget.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().InboxByWebsiteToken(ctx, "site-1"); !criachat.IsNotFound(err) {
			t.Fatalf("deleted inbox still found: %v", err)
		}
	})
}

func errOnly[T any](_ T, err error) error { return err }

func inboxNames(list []*criachat.Inbox) []string {
	var out []string
	for _, in := range list {
		out = append(out, in.Name)
	}
	return out
}

func TestInboxValidation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		long := string(make([]byte, criachat.MaxInboxMessageLength+1))
		bad := "ftp://x"
		cases := []struct {
			name string
			edit func(in *criachat.Inbox)
			attr string
		}{
			{"blank name", func(in *criachat.Inbox) { in.Name = "  " }, "name"},
			{"symbol at the end", func(in *criachat.Inbox) { in.Name = "support-" }, "name"},
			{"at sign", func(in *criachat.Inbox) { in.Name = "a@b" }, "name"},
			{"timezone", func(in *criachat.Inbox) { in.Timezone = "Mars/Base" }, "timezone"},
			{"greeting too long", func(in *criachat.Inbox) { in.GreetingMessage = &long }, "greeting_message"},
			{"sender name type", func(in *criachat.Inbox) { in.SenderNameType = "loud" }, "sender_name_type"},
			{"assignment limit", func(in *criachat.Inbox) { in.AutoAssignmentConfig = map[string]any{"max_assignment_limit": float64(0)} }, "auto_assignment_config"},
			{"reply window", func(in *criachat.Inbox) { in.AdditionalAttributes = map[string]any{"agent_reply_time_window": "x"} }, "agent_reply_time_window"},
			{"webhook scheme", func(in *criachat.Inbox) { in.WebhookURL = &bad }, "webhook_url"},
			{"close before open", func(in *criachat.Inbox) { *in.WorkingHours[1].CloseHour = 8 }, "close_hour"},
			{"open and closed", func(in *criachat.Inbox) { in.WorkingHours[2].ClosedAllDay, in.WorkingHours[2].OpenAllDay = true, true }, "base"},
			{"missing hour", func(in *criachat.Inbox) { in.WorkingHours[0].ClosedAllDay = false }, "open_hour"},
		}
		for _, c := range cases {
			in, _ := s.Read().Inbox(ctx, f.a.ID, f.apiIn.ID)
			c.edit(in)
			err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateInbox(ctx, in) })
			if e, ok := err.(*criachat.Error); !ok || e.Code != criachat.EINVALID || len(e.Attributes) != 1 || e.Attributes[0] != c.attr {
				t.Errorf("%s: err = %v, want EINVALID on %s", c.name, err, c.attr)
			}
		}
		w, _ := s.Read().Inbox(ctx, f.a.ID, f.widget.ID)
		w.WebsiteURL = ""
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateInbox(ctx, w) }); criachat.ErrorMessage(err) != "Website url can't be blank" {
			t.Fatalf("widget without url: %v", err)
		}
		w, _ = s.Read().Inbox(ctx, f.a.ID, f.widget.ID)
		w.FeatureFlags = []string{"emoji_picker", "teleport"}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateInbox(ctx, w) }); criachat.ErrorCode(err) != criachat.EINVALID {
			t.Fatalf("unknown feature flag: %v", err)
		}
		// Names with symbols inside and non-ASCII letters are fine.
		in, _ := s.Read().Inbox(ctx, f.a.ID, f.apiIn.ID)
		in.Name = "Über support_team.2"
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateInbox(ctx, in) }); err != nil {
			t.Fatal(err)
		}
	})
}

func TestInboxMembers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		tx := func(fn func(q *store.Queries) error) error { return s.Tx(ctx, fn) }
		if err := tx(func(q *store.Queries) error {
			return q.AddInboxMembers(ctx, f.a.ID, f.apiIn.ID, []int64{f.ann.ID, f.bob.ID, f.ann.ID})
		}); err != nil {
			t.Fatal(err)
		}
		if err := tx(func(q *store.Queries) error { return q.AddInboxMembers(ctx, f.a.ID, f.widget.ID, []int64{f.bob.ID}) }); err != nil {
			t.Fatal(err)
		}
		// Adding again is a no-op.
		if err := tx(func(q *store.Queries) error { return q.AddInboxMembers(ctx, f.a.ID, f.widget.ID, []int64{f.bob.ID}) }); err != nil {
			t.Fatal(err)
		}
		members, err := s.Read().InboxMembers(ctx, f.a.ID, f.apiIn.ID)
		if err != nil || len(members) != 2 || members[0].User.ID != f.ann.ID || members[1].User.ID != f.bob.ID || members[0].Member.AccountID != f.a.ID {
			t.Fatalf("InboxMembers = %+v, %v", members, err)
		}
		if ok, err := s.Read().IsInboxMember(ctx, f.widget.ID, f.ann.ID); err != nil || ok {
			t.Fatalf("ann in widget = %v, %v", ok, err)
		}
		if ok, err := s.Read().IsInboxMember(ctx, f.widget.ID, f.bob.ID); err != nil || !ok {
			t.Fatalf("bob in widget = %v, %v", ok, err)
		}
		if ids, err := s.Read().MemberInboxIDs(ctx, f.a.ID, f.bob.ID); err != nil || !reflect.DeepEqual(ids, []int64{f.apiIn.ID, f.widget.ID}) {
			t.Fatalf("MemberInboxIDs(bob) = %v, %v", ids, err)
		}
		if ids, err := s.Read().MemberInboxIDs(ctx, f.b.ID, f.bob.ID); err != nil || len(ids) != 0 {
			t.Fatalf("MemberInboxIDs in B = %v, %v", ids, err)
		}
		if list, err := s.Read().MemberInboxes(ctx, f.a.ID, f.ann.ID); err != nil || len(list) != 1 || list[0].ID != f.apiIn.ID {
			t.Fatalf("MemberInboxes(ann) = %v, %v", inboxNames(list), err)
		}

		// Assignable: members of every inbox given, plus administrators.
		assignable := func(ids ...int64) []int64 {
			t.Helper()
			agents, err := s.Read().AssignableAgents(ctx, f.a.ID, ids)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, a := range agents {
				out = append(out, a.User.ID)
			}
			return out
		}
		if got := assignable(f.apiIn.ID); !reflect.DeepEqual(got, []int64{f.ann.ID, f.bob.ID, f.admin.ID}) {
			t.Fatalf("assignable(api) = %v", got)
		}
		if got := assignable(f.apiIn.ID, f.widget.ID, f.widget.ID); !reflect.DeepEqual(got, []int64{f.bob.ID, f.admin.ID}) {
			t.Fatalf("assignable(api, widget) = %v", got)
		}
		if got := assignable(); !reflect.DeepEqual(got, []int64{f.admin.ID}) {
			t.Fatalf("assignable() = %v", got)
		}

		// Users outside the account cannot be members, and B cannot use A's inbox.
		err = tx(func(q *store.Queries) error { return q.AddInboxMembers(ctx, f.a.ID, f.apiIn.ID, []int64{f.bAdmin.ID}) })
		if criachat.ErrorMessage(err) != "Invalid User IDs" {
			t.Fatalf("foreign user: err = %v", err)
		}
		err = tx(func(q *store.Queries) error { return q.AddInboxMembers(ctx, f.b.ID, f.apiIn.ID, []int64{f.bAdmin.ID}) })
		if criachat.ErrorCode(err) != criachat.EINVALID {
			t.Fatalf("A's inbox through B: err = %v", err)
		}
		if ok, _ := s.Read().AreAccountUsers(ctx, f.a.ID, []int64{f.ann.ID, f.bob.ID, f.ann.ID}); !ok {
			t.Fatal("AreAccountUsers(ann, bob) = false")
		}
		if ok, _ := s.Read().AreAccountUsers(ctx, f.a.ID, []int64{f.ann.ID, f.bAdmin.ID}); ok {
			t.Fatal("AreAccountUsers(ann, bea) = true")
		}

		// Replace, then remove.
		if err := tx(func(q *store.Queries) error {
			return q.SetInboxMembers(ctx, f.a.ID, f.apiIn.ID, []int64{f.bob.ID, f.admin.ID})
		}); err != nil {
			t.Fatal(err)
		}
		if members, _ := s.Read().InboxMembers(ctx, f.a.ID, f.apiIn.ID); len(members) != 2 || members[0].User.ID != f.bob.ID || members[1].User.ID != f.admin.ID {
			t.Fatalf("after replace: %+v", members)
		}
		if err := tx(func(q *store.Queries) error {
			return q.RemoveInboxMembers(ctx, f.a.ID, f.apiIn.ID, []int64{f.admin.ID, f.ann.ID})
		}); err != nil {
			t.Fatal(err)
		}
		if members, _ := s.Read().InboxMembers(ctx, f.a.ID, f.apiIn.ID); len(members) != 1 || members[0].User.ID != f.bob.ID {
			t.Fatalf("after remove: %+v", members)
		}
		if err := tx(func(q *store.Queries) error { return q.SetInboxMembers(ctx, f.a.ID, f.apiIn.ID, nil) }); err != nil {
			t.Fatal(err)
		}
		if members, _ := s.Read().InboxMembers(ctx, f.a.ID, f.apiIn.ID); len(members) != 0 {
			t.Fatalf("after replace with none: %+v", members)
		}

		// Leaving the account ends the user's inbox memberships; deleting an inbox ends its own.
		if err := tx(func(q *store.Queries) error { return q.DeleteAccountUser(ctx, f.a.ID, f.bob.ID) }); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.Read().IsInboxMember(ctx, f.widget.ID, f.bob.ID); ok {
			t.Fatal("bob still a widget member after leaving the account")
		}
		if err := tx(func(q *store.Queries) error { return q.AddInboxMembers(ctx, f.a.ID, f.widget.ID, []int64{f.ann.ID}) }); err != nil {
			t.Fatal(err)
		}
		if err := tx(func(q *store.Queries) error { return q.DeleteInbox(ctx, f.a.ID, f.widget.ID) }); err != nil {
			t.Fatal(err)
		}
		if ids, _ := s.Read().MemberInboxIDs(ctx, f.a.ID, f.ann.ID); len(ids) != 0 {
			t.Fatalf("memberships of a deleted inbox remain: %v", ids)
		}
	})
}
