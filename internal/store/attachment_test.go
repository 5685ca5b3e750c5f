package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// thread is an account with an inbox, a contact, a conversation and messages.
type thread struct {
	account int64
	conv    *criachat.Conversation
	msgs    []*criachat.Message
}

func newThread(t *testing.T, s *store.Store, name string, messages int) thread {
	t.Helper()
	ctx := context.Background()
	var th thread
	err := s.Tx(ctx, func(q *store.Queries) error {
		a := &criachat.Account{Name: name}
		if err := q.CreateAccount(ctx, a); err != nil {
			return err
		}
		th.account = a.ID
		in := criachat.NewInbox(a.ID, criachat.ChannelAPI)
		in.Name, in.Identifier, in.HMACTokenSealed, in.SecretSealed = "API", "ident-"+name, "h", "s"
		if err := q.CreateInbox(ctx, in); err != nil {
			return err
		}
		ct := &criachat.Contact{AccountID: a.ID, Name: "Carla", Email: "carla@" + name + ".io"}
		if err := q.CreateContact(ctx, ct); err != nil {
			return err
		}
		th.conv = &criachat.Conversation{AccountID: a.ID, InboxID: in.ID, ContactID: ct.ID}
		if err := q.CreateConversation(ctx, th.conv); err != nil {
			return err
		}
		for i := 0; i < messages; i++ {
			m := &criachat.Message{AccountID: a.ID, InboxID: in.ID, ConversationID: th.conv.ID, MessageType: criachat.MessageIncoming,
				Content: fmt.Sprint("m", i)}
			if err := q.CreateMessage(ctx, m); err != nil {
				return err
			}
			th.msgs = append(th.msgs, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func attachTo(accountID int64, m *criachat.Message, key string) *criachat.Attachment {
	w, h := 4, 3
	return &criachat.Attachment{AccountID: accountID, MessageID: m.ID, FileType: criachat.FileImage, StorageKey: key,
		Filename: "a.png", ContentType: "image/png", Extension: "png", FileSize: 10, Width: &w, Height: &h}
}

func TestAttachments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newThread(t, s, "a", 3)
		b := newThread(t, s, "b", 1)
		create := func(at *criachat.Attachment) error {
			return s.Tx(ctx, func(q *store.Queries) error { return q.CreateAttachment(ctx, at) })
		}
		first := attachTo(a.account, a.msgs[0], "1/aa")
		if err := create(first); err != nil {
			t.Fatal(err)
		}
		second := attachTo(a.account, a.msgs[0], "1/bb")
		second.Extension, second.Width, second.Height, second.FileType = "", nil, nil, criachat.FileFile
		third := attachTo(a.account, a.msgs[2], "1/cc")
		for _, at := range []*criachat.Attachment{second, third} {
			if err := create(at); err != nil {
				t.Fatal(err)
			}
		}
		// Composite key: an attachment cannot name another account's message.
		if err := create(attachTo(a.account, b.msgs[0], "1/evil")); !errors.Is(err, store.ErrForeignKey) {
			t.Fatalf("cross-tenant attachment: %v, want a foreign key error", err)
		}
		if err := create(attachTo(a.account, a.msgs[1], "1/aa")); !errors.Is(err, store.ErrUnique) {
			t.Fatalf("duplicate storage key: %v", err)
		}
		if err := create(&criachat.Attachment{AccountID: a.account, MessageID: a.msgs[1].ID, FileType: 99, StorageKey: "1/x", Filename: "x"}); criachat.ErrorCode(err) != criachat.EINVALID {
			t.Fatalf("bad file type: %v", err)
		}

		// One query loads the attachments of several messages, duplicates included.
		dup := *a.msgs[0]
		msgs := []*criachat.Message{a.msgs[0], a.msgs[1], a.msgs[2], &dup}
		before := s.QueryCount()
		if err := s.Read().LoadAttachments(ctx, a.account, msgs...); err != nil {
			t.Fatal(err)
		}
		if n := s.QueryCount() - before; n != 1 {
			t.Fatalf("LoadAttachments ran %d queries", n)
		}
		if len(a.msgs[0].Attachments) != 2 || len(dup.Attachments) != 2 || a.msgs[1].Attachments != nil || len(a.msgs[2].Attachments) != 1 {
			t.Fatalf("loaded %d, %d, %d, %d", len(a.msgs[0].Attachments), len(dup.Attachments), len(a.msgs[1].Attachments), len(a.msgs[2].Attachments))
		}
		got := a.msgs[0].Attachments[0]
		if got.ID != first.ID || got.StorageKey != "1/aa" || got.Extension != "png" || *got.Width != 4 || *got.Height != 3 ||
			got.FileType != criachat.FileImage || got.CreatedAt.IsZero() || !got.CreatedAt.Equal(first.CreatedAt) {
			t.Fatalf("round trip = %+v, want %+v", got, first)
		}
		if g := a.msgs[0].Attachments[1]; g.Extension != "" || g.Width != nil || g.FileType != criachat.FileFile {
			t.Fatalf("optional fields = %+v", g)
		}
		// Another account's id sees nothing.
		if err := s.Read().LoadAttachments(ctx, b.account, a.msgs[0]); err != nil || a.msgs[0].Attachments != nil {
			t.Fatalf("cross-tenant load: %v %v", err, a.msgs[0].Attachments)
		}

		// The conversation's list, newest first, with messages; counts; keys.
		list, err := s.Read().ConversationAttachments(ctx, a.account, a.conv.ID, 2, 0)
		if err != nil || len(list) != 2 || list[0].Attachment.ID != third.ID || list[0].Message.ID != a.msgs[2].ID || list[1].Attachment.ID != second.ID {
			t.Fatalf("list = %v %v", list, err)
		}
		if rest, _ := s.Read().ConversationAttachments(ctx, a.account, a.conv.ID, 2, 2); len(rest) != 1 || rest[0].Attachment.ID != first.ID {
			t.Fatalf("second page = %v", rest)
		}
		if other, _ := s.Read().ConversationAttachments(ctx, b.account, a.conv.ID, 10, 0); len(other) != 0 {
			t.Fatal("another account lists the attachments")
		}
		if n, err := s.Read().CountConversationAttachments(ctx, a.account, a.conv.ID); err != nil || n != 3 {
			t.Fatalf("count = %d %v", n, err)
		}
		if got, err := s.Read().SignedAttachment(ctx, third.ID); err != nil || got.StorageKey != "1/cc" {
			t.Fatalf("signed lookup = %v %v", got, err)
		}
		if _, err := s.Read().SignedAttachment(ctx, 999999); !criachat.IsNotFound(err) {
			t.Fatalf("missing attachment: %v", err)
		}
		known, err := s.Read().ReferencedStorageKeys(ctx, a.account, []string{"1/aa", "1/zz", "1/cc"})
		if err != nil || len(known) != 2 || !known["1/aa"] || !known["1/cc"] {
			t.Fatalf("referenced = %v %v", known, err)
		}
		if known, _ := s.Read().ReferencedStorageKeys(ctx, b.account, []string{"1/aa"}); len(known) != 0 {
			t.Fatal("another account's keys count as referenced")
		}

		// Deleting a message's attachments returns them.
		var removed []*criachat.Attachment
		err = s.Tx(ctx, func(q *store.Queries) (err error) {
			removed, err = q.DeleteMessageAttachments(ctx, a.account, a.msgs[0].ID)
			return err
		})
		if err != nil || len(removed) != 2 || removed[0].StorageKey != "1/aa" {
			t.Fatalf("removed = %v %v", removed, err)
		}
		if n, _ := s.Read().CountConversationAttachments(ctx, a.account, a.conv.ID); n != 1 {
			t.Fatalf("%d left, want 1", n)
		}
		// A deleted conversation takes its attachment rows along.
		var keys []string
		err = s.Tx(ctx, func(q *store.Queries) (err error) {
			if keys, err = q.ConversationStorageKeys(ctx, a.account, a.conv.ID); err != nil {
				return err
			}
			return q.DeleteConversation(ctx, a.account, a.conv.ID)
		})
		if err != nil || len(keys) != 1 || keys[0] != "1/cc" {
			t.Fatalf("conversation keys = %v %v", keys, err)
		}
		if _, err := s.Read().SignedAttachment(ctx, third.ID); !criachat.IsNotFound(err) {
			t.Fatalf("attachment outlived its conversation: %v", err)
		}
	})
}
