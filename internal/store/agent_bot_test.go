package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// TestAgentBots: CRUD scoped by account, validation, one bot per inbox,
// token lookup, and what deleting a bot takes with it.
func TestAgentBots(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		tx := func(fn func(q *store.Queries) error) error { return s.Tx(ctx, fn) }
		desc, url := "answers FAQs", "https://bots.example/hook"
		bot := &criachat.AgentBot{AccountID: f.a.ID, Name: "Faq", Description: &desc, OutgoingURL: &url,
			BotConfig: map[string]any{"lang": "pt"}, SecretSealed: "sealed"}
		other := &criachat.AgentBot{AccountID: f.b.ID, Name: "B bot", SecretSealed: "sealed-b"}
		for _, b := range []*criachat.AgentBot{bot, other} {
			if err := tx(func(q *store.Queries) error { return q.CreateAgentBot(ctx, b) }); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Read().AgentBot(ctx, f.a.ID, bot.ID)
		if err != nil || !reflect.DeepEqual(got, bot) {
			t.Fatalf("AgentBot = %+v, %v; want %+v", got, err, bot)
		}
		if got.BotType != criachat.BotTypeWebhook {
			t.Fatalf("bot_type = %q, want webhook by default", got.BotType)
		}
		if _, err := s.Read().AgentBot(ctx, f.a.ID, other.ID); !criachat.IsNotFound(err) {
			t.Fatalf("another account's bot: err = %v, want not found", err)
		}
		if list, err := s.Read().AgentBots(ctx, f.a.ID); err != nil || len(list) != 1 || list[0].ID != bot.ID {
			t.Fatalf("AgentBots = %v, %v", list, err)
		}
		byID, err := s.Read().AgentBotsByIDs(ctx, f.a.ID, []int64{bot.ID, other.ID})
		if err != nil || len(byID) != 1 || byID[bot.ID] == nil {
			t.Fatalf("AgentBotsByIDs = %v, %v: want only A's bot", byID, err)
		}

		// Validation.
		long := "https://x.io/" + strings.Repeat("a", criachat.MaxURLLength)
		bad := "ftp://x.io"
		create := func(b *criachat.AgentBot) error {
			return tx(func(q *store.Queries) error { return q.CreateAgentBot(ctx, b) })
		}
		wantRecordInvalid(t, create(&criachat.AgentBot{AccountID: f.a.ID, Name: " "}), criachat.EINVALID, "Name can't be blank", "name")
		wantRecordInvalid(t, create(&criachat.AgentBot{AccountID: f.a.ID, Name: "x", OutgoingURL: &long}), criachat.EINVALID,
			"Outgoing url is too long (maximum is 2048 characters)", "outgoing_url")
		wantRecordInvalid(t, create(&criachat.AgentBot{AccountID: f.a.ID, Name: "x", OutgoingURL: &bad}), criachat.EINVALID,
			"Outgoing url is invalid", "outgoing_url")
		if err := create(&criachat.AgentBot{AccountID: f.a.ID, Name: "x", BotType: "csml"}); criachat.ErrorCode(err) != criachat.EINVALID {
			t.Fatalf("bot_type csml: err = %v, want invalid", err)
		}

		// Update, scoped by account.
		bot.Name, bot.OutgoingURL, bot.AvatarURL = "FAQ bot", nil, "https://img.example/a.png"
		if err := tx(func(q *store.Queries) error { return q.UpdateAgentBot(ctx, bot) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Read().AgentBot(ctx, f.a.ID, bot.ID); got.Name != "FAQ bot" || got.OutgoingURL != nil || got.AvatarURL != bot.AvatarURL {
			t.Fatalf("after update: %+v", got)
		}
		stolen := *other
		stolen.AccountID = f.a.ID
		if err := tx(func(q *store.Queries) error { return q.UpdateAgentBot(ctx, &stolen) }); !criachat.IsNotFound(err) {
			t.Fatalf("update through another account: err = %v, want not found", err)
		}

		// One bot per inbox: set, replace, clear.
		active := func(in *criachat.Inbox) bool {
			t.Helper()
			ok, err := s.Read().InboxHasActiveBot(ctx, in.AccountID, in.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if active(f.apiIn) {
			t.Fatal("a new inbox has an active bot")
		}
		if _, err := s.Read().InboxAgentBot(ctx, f.a.ID, f.apiIn.ID); !criachat.IsNotFound(err) {
			t.Fatalf("InboxAgentBot without a bot: err = %v", err)
		}
		second := &criachat.AgentBot{AccountID: f.a.ID, Name: "Second", SecretSealed: "s2"}
		if err := create(second); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{bot.ID, second.ID} {
			if err := tx(func(q *store.Queries) error { return q.SetInboxAgentBot(ctx, f.a.ID, f.apiIn.ID, &id) }); err != nil {
				t.Fatal(err)
			}
		}
		if b, err := s.Read().InboxAgentBot(ctx, f.a.ID, f.apiIn.ID); err != nil || b.ID != second.ID || !active(f.apiIn) || active(f.widget) {
			t.Fatalf("after replacing: %v, %v", b, err)
		}
		// Another account's bot cannot be connected (the foreign key holds).
		err = tx(func(q *store.Queries) error { return q.SetInboxAgentBot(ctx, f.a.ID, f.apiIn.ID, &other.ID) })
		if !errors.Is(err, store.ErrForeignKey) {
			t.Fatalf("connecting B's bot to A's inbox: err = %v, want a foreign key error", err)
		}
		if err := tx(func(q *store.Queries) error { return q.SetInboxAgentBot(ctx, f.a.ID, f.apiIn.ID, nil) }); err != nil || active(f.apiIn) {
			t.Fatalf("clearing: err = %v, active = %v", err, active(f.apiIn))
		}

		// Tokens: a bot's token finds the bot; tokens of users do not.
		tok := &criachat.AccessToken{OwnerType: criachat.OwnerAgentBot, OwnerID: second.ID, Hash: "h-bot", Encrypted: "e"}
		userTok := &criachat.AccessToken{OwnerType: criachat.OwnerUser, OwnerID: f.admin.ID, Hash: "h-user", Encrypted: "e"}
		for _, tk := range []*criachat.AccessToken{tok, userTok} {
			if err := tx(func(q *store.Queries) error { return q.SetAccessToken(ctx, tk) }); err != nil {
				t.Fatal(err)
			}
		}
		if gotTok, b, err := s.Read().AgentBotByTokenHash(ctx, "h-bot"); err != nil || b.ID != second.ID || gotTok.ID != tok.ID {
			t.Fatalf("AgentBotByTokenHash = %v, %v, %v", gotTok, b, err)
		}
		if _, _, err := s.Read().AgentBotByTokenHash(ctx, "h-user"); !criachat.IsNotFound(err) {
			t.Fatalf("a user's token as a bot's: err = %v", err)
		}
		if toks, err := s.Read().AccessTokensOf(ctx, criachat.OwnerAgentBot, []int64{bot.ID, second.ID}); err != nil || len(toks) != 1 || toks[second.ID].ID != tok.ID {
			t.Fatalf("AccessTokensOf = %v, %v", toks, err)
		}

		// Deleting a bot unassigns its conversations, drops its token and inbox connection.
		conv := newConversation(t, s, f.apiIn, criachat.StatusPending)
		conv.AssigneeAgentBotID = &second.ID
		err = tx(func(q *store.Queries) error {
			if err := q.UpdateConversation(ctx, conv); err != nil {
				return err
			}
			return q.SetInboxAgentBot(ctx, f.a.ID, f.apiIn.ID, &second.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := tx(func(q *store.Queries) error { return q.DeleteAgentBot(ctx, f.b.ID, second.ID) }); !criachat.IsNotFound(err) {
			t.Fatalf("delete through another account: err = %v, want not found", err)
		}
		if err := tx(func(q *store.Queries) error { return q.DeleteAgentBot(ctx, f.a.ID, second.ID) }); err != nil {
			t.Fatal(err)
		}
		if c, err := s.Read().Conversation(ctx, f.a.ID, conv.DisplayID); err != nil || c.AssigneeAgentBotID != nil {
			t.Fatalf("conversation after deleting its bot: %+v, %v", c, err)
		}
		if _, err := s.Read().AccessTokenByHash(ctx, "h-bot"); !criachat.IsNotFound(err) {
			t.Fatalf("the deleted bot's token: err = %v, want not found", err)
		}
		if active(f.apiIn) {
			t.Fatal("the deleted bot is still connected to the inbox")
		}
	})
}
