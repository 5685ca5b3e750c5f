package api

import (
	"net/http"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// Agent bots (reference §3.10) and their connection to inboxes (§3.3).

// agentBotJSON is Chatwoot's agent bot (app/views/api/v1/models/_agent_bot.json.jbuilder):
// access_token when the bot has one, secret for administrators only.
type agentBotJSON struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	Description *string        `json:"description"`
	Thumbnail   string         `json:"thumbnail"`
	OutgoingURL *string        `json:"outgoing_url"`
	BotType     string         `json:"bot_type"`
	BotConfig   map[string]any `json:"bot_config"`
	AccountID   int64          `json:"account_id"`
	AccessToken string         `json:"access_token,omitempty"`
	Secret      string         `json:"secret,omitempty"`
	SystemBot   bool           `json:"system_bot"`
}

// presentAgentBot renders a bot with its token (nil when it has none); admin
// adds the webhook signing secret.
func (s *Server) presentAgentBot(b *criachat.AgentBot, tok *criachat.AccessToken, admin bool) (agentBotJSON, error) {
	j := agentBotJSON{
		ID: b.ID, Name: b.Name, Description: b.Description, Thumbnail: b.AvatarURL, OutgoingURL: b.OutgoingURL,
		BotType: b.BotType, BotConfig: b.BotConfig, AccountID: b.AccountID,
	}
	var err error
	if tok != nil {
		if j.AccessToken, err = s.accounts.Plaintext(tok); err != nil {
			return j, err
		}
	}
	if admin {
		if j.Secret, err = s.keeper.Decrypt(b.SecretSealed); err != nil {
			return j, err
		}
	}
	return j, nil
}

// agentBotSlimJSON is a bot as a conversation's assignee and as the answer of
// an assignment (app/views/api/v1/models/_agent_bot_slim.json.jbuilder).
type agentBotSlimJSON struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Thumbnail   string  `json:"thumbnail"`
	OutgoingURL *string `json:"outgoing_url"`
	BotType     string  `json:"bot_type"`
}

func presentAgentBotSlim(b *criachat.AgentBot) agentBotSlimJSON {
	return agentBotSlimJSON{ID: b.ID, Name: b.Name, Description: b.Description, Thumbnail: b.AvatarURL,
		OutgoingURL: b.OutgoingURL, BotType: b.BotType}
}

// agentBotParams is the body of POST and PATCH /agent_bots: top-level
// attributes (Chatwoot's permitted params). avatar_url is kept as the
// avatar; an uploaded avatar file is not supported.
type agentBotParams struct {
	Name        *string               `json:"name"`
	Description nullableParam[string] `json:"description"`
	OutgoingURL nullableParam[string] `json:"outgoing_url"`
	AvatarURL   nullableParam[string] `json:"avatar_url"`
	BotType     *enumParam            `json:"bot_type"`
	BotConfig   *jsonObject           `json:"bot_config"`
}

func (p agentBotParams) apply(b *criachat.AgentBot) {
	setStr(&b.Name, p.Name)
	p.Description.setTo(&b.Description)
	p.OutgoingURL.setTo(&b.OutgoingURL)
	if p.AvatarURL.set {
		b.AvatarURL = ""
		if p.AvatarURL.v != nil {
			b.AvatarURL = *p.AvatarURL.v
		}
	}
	if p.BotType != nil {
		b.BotType = enumOf(*p.BotType, []string{criachat.BotTypeWebhook})
	}
	if p.BotConfig != nil && p.BotConfig.m != nil {
		b.BotConfig = p.BotConfig.m
	}
}

// agentBotFromPath loads the account's bot named by the id in the path.
func (s *Server) agentBotFromPath(r *http.Request) (*criachat.AgentBot, error) {
	id, ok := pathID(r, "id")
	if !ok {
		return nil, criachat.Errorf(criachat.ENOTFOUND, "agent bot not found")
	}
	return s.store.Read().AgentBot(r.Context(), caller(r).accountID(), id)
}

// writeAgentBot answers with one bot as the caller may see it.
func (s *Server) writeAgentBot(w http.ResponseWriter, r *http.Request, b *criachat.AgentBot) error {
	j, err := s.agentBotJSON(r, b)
	if err != nil {
		return err
	}
	return ok(w, j)
}

func (s *Server) agentBotJSON(r *http.Request, b *criachat.AgentBot) (agentBotJSON, error) {
	tok, err := s.store.Read().AccessTokenOf(r.Context(), criachat.OwnerAgentBot, b.ID)
	if criachat.IsNotFound(err) {
		tok, err = nil, nil
	}
	if err != nil {
		return agentBotJSON{}, err
	}
	return s.presentAgentBot(b, tok, caller(r).member.IsAdmin())
}

// listAgentBots is GET /agent_bots: the account's bots by id (CriaChat has no system bots).
func (s *Server) listAgentBots(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := caller(r)
	q := s.store.Read()
	bots, err := q.AgentBots(ctx, p.accountID())
	if err != nil {
		return err
	}
	ids := make([]int64, len(bots))
	for i, b := range bots {
		ids[i] = b.ID
	}
	tokens, err := q.AccessTokensOf(ctx, criachat.OwnerAgentBot, ids)
	if err != nil {
		return err
	}
	out := make([]agentBotJSON, len(bots))
	for i, b := range bots {
		if out[i], err = s.presentAgentBot(b, tokens[b.ID], p.member.IsAdmin()); err != nil {
			return err
		}
	}
	return ok(w, out)
}

func (s *Server) showAgentBot(w http.ResponseWriter, r *http.Request) error {
	b, err := s.agentBotFromPath(r)
	if err != nil {
		return err
	}
	return s.writeAgentBot(w, r, b)
}

// createAgentBot is POST /agent_bots: the bot gets its access token and
// webhook signing secret.
func (s *Server) createAgentBot(w http.ResponseWriter, r *http.Request) error {
	var p agentBotParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	b := &criachat.AgentBot{AccountID: caller(r).accountID()}
	p.apply(b)
	if _, err := s.accounts.CreateAgentBot(r.Context(), b); err != nil {
		return err
	}
	return s.writeAgentBot(w, r, b)
}

// updateAgentBot is PATCH/PUT /agent_bots/{id}: the attributes given change.
func (s *Server) updateAgentBot(w http.ResponseWriter, r *http.Request) error {
	var p agentBotParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	return s.changeAgentBot(w, r, p.apply)
}

// deleteAgentBotAvatar is DELETE /agent_bots/{id}/avatar: the bot without its avatar.
func (s *Server) deleteAgentBotAvatar(w http.ResponseWriter, r *http.Request) error {
	return s.changeAgentBot(w, r, func(b *criachat.AgentBot) { b.AvatarURL = "" })
}

// changeAgentBot applies change to the bot in the path and answers with it.
func (s *Server) changeAgentBot(w http.ResponseWriter, r *http.Request, change func(b *criachat.AgentBot)) error {
	ctx := r.Context()
	id, _ := pathID(r, "id")
	var out *criachat.AgentBot
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		b, err := q.AgentBot(ctx, caller(r).accountID(), id)
		if err != nil {
			return err
		}
		change(b)
		out = b
		return q.UpdateAgentBot(ctx, b)
	})
	if err != nil {
		return err
	}
	return s.writeAgentBot(w, r, out)
}

// deleteAgentBot is DELETE /agent_bots/{id}: 200 with an empty body.
func (s *Server) deleteAgentBot(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, _ := pathID(r, "id")
	if err := s.store.Tx(ctx, func(q *store.Queries) error {
		return q.DeleteAgentBot(ctx, caller(r).accountID(), id)
	}); err != nil {
		return err
	}
	return okEmpty(w)
}

// resetAgentBotToken is POST /agent_bots/{id}/reset_access_token: the old token stops working.
func (s *Server) resetAgentBotToken(w http.ResponseWriter, r *http.Request) error {
	b, err := s.agentBotFromPath(r)
	if err != nil {
		return err
	}
	if _, err := s.accounts.ResetToken(r.Context(), criachat.OwnerAgentBot, b.ID); err != nil {
		return err
	}
	return s.writeAgentBot(w, r, b)
}

// resetAgentBotSecret is POST /agent_bots/{id}/reset_secret: a new webhook signing secret.
func (s *Server) resetAgentBotSecret(w http.ResponseWriter, r *http.Request) error {
	id, _ := pathID(r, "id")
	b, err := s.accounts.ResetAgentBotSecret(r.Context(), caller(r).accountID(), id)
	if err != nil {
		return err
	}
	return s.writeAgentBot(w, r, b)
}

// showInboxAgentBot is GET /inboxes/{id}/agent_bot: {"agent_bot": bot}, or
// {} when the inbox has none (jbuilder drops the empty block).
func (s *Server) showInboxAgentBot(w http.ResponseWriter, r *http.Request) error {
	in, err := s.inboxFromPath(r, "id")
	if err != nil {
		return err
	}
	b, err := s.store.Read().InboxAgentBot(r.Context(), in.AccountID, in.ID)
	if criachat.IsNotFound(err) {
		return ok(w, map[string]any{})
	} else if err != nil {
		return err
	}
	j, err := s.agentBotJSON(r, b)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"agent_bot": j})
}

// setInboxAgentBot is POST /inboxes/{id}/set_agent_bot {agent_bot: id}:
// connects the bot to the inbox in place of any other; null or no
// agent_bot disconnects it. 200 with an empty body.
func (s *Server) setInboxAgentBot(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		AgentBot flexNullInt `json:"agent_bot"`
	}
	if err := decode(r, "", &p); err != nil {
		return err
	}
	ctx := r.Context()
	accountID := caller(r).accountID()
	inboxID, _ := pathID(r, "id")
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		if _, err := q.Inbox(ctx, accountID, inboxID); err != nil {
			return err
		}
		if p.AgentBot.v != nil {
			if _, err := q.AgentBot(ctx, accountID, *p.AgentBot.v); err != nil {
				return err
			}
		}
		return q.SetInboxAgentBot(ctx, accountID, inboxID, p.AgentBot.v)
	})
	if err != nil {
		return err
	}
	return okEmpty(w)
}
