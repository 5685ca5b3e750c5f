package store

import (
	"context"
	"database/sql"

	"github.com/criachat/criachat/internal/criachat"
)

const agentBotColumns = `b.id, b.account_id, b.name, b.description, b.outgoing_url, b.bot_type, b.bot_config,
	b.avatar_url, b.secret_sealed, b.created_at, b.updated_at`

type agentBotScan struct {
	b                        criachat.AgentBot
	description, outgoingURL sql.NullString
	config                   []byte
	created, updated         int64
}

func (s *agentBotScan) dest() []any {
	return []any{&s.b.ID, &s.b.AccountID, &s.b.Name, &s.description, &s.outgoingURL, &s.b.BotType, &s.config,
		&s.b.AvatarURL, &s.b.SecretSealed, &s.created, &s.updated}
}

func (s *agentBotScan) bot() *criachat.AgentBot {
	b := s.b
	b.Description, b.OutgoingURL = optString(s.description), optString(s.outgoingURL)
	b.BotConfig = jsonMap[any](s.config)
	b.CreatedAt, b.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &b
}

// CreateAgentBot validates and inserts b.
func (q *Queries) CreateAgentBot(ctx context.Context, b *criachat.AgentBot) error {
	b.Normalize()
	if err := b.Validate(); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	b.CreatedAt, b.UpdatedAt = now, now
	return q.d.translate(q.queryRow(ctx, `INSERT INTO agent_bots (account_id, name, description, outgoing_url, bot_type,
		bot_config, avatar_url, secret_sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		b.AccountID, b.Name, nullable(b.Description), nullable(b.OutgoingURL), b.BotType, jsonText(b.BotConfig),
		b.AvatarURL, b.SecretSealed, micros(now), micros(now)).Scan(&b.ID))
}

// AgentBot returns one of an account's agent bots.
func (q *Queries) AgentBot(ctx context.Context, accountID, id int64) (*criachat.AgentBot, error) {
	var s agentBotScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+agentBotColumns+` FROM agent_bots b WHERE b.account_id = ? AND b.id = ?`,
		accountID, id), "agent bot", s.dest()...); err != nil {
		return nil, err
	}
	return s.bot(), nil
}

// AgentBots lists an account's agent bots by id.
func (q *Queries) AgentBots(ctx context.Context, accountID int64) ([]*criachat.AgentBot, error) {
	return q.agentBots(ctx, `SELECT `+agentBotColumns+` FROM agent_bots b WHERE b.account_id = ? ORDER BY b.id`, accountID)
}

// AgentBotsByIDs returns the account's agent bots among ids (message senders,
// assignees), by id. Ids of other accounts or of deleted bots are left out.
func (q *Queries) AgentBotsByIDs(ctx context.Context, accountID int64, ids []int64) (map[int64]*criachat.AgentBot, error) {
	out := make(map[int64]*criachat.AgentBot, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list, err := q.agentBots(ctx, q.withIDs(`SELECT `+agentBotColumns+` FROM agent_bots b
		WHERE b.account_id = ? AND b.id IN (`+idsToken+`)`), accountID, jsonList(ids))
	for _, b := range list {
		out[b.ID] = b
	}
	return out, err
}

func (q *Queries) agentBots(ctx context.Context, query string, args ...any) ([]*criachat.AgentBot, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.AgentBot{}
	for rows.Next() {
		var s agentBotScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		out = append(out, s.bot())
	}
	return out, rows.Err()
}

// UpdateAgentBot validates and saves every field of b.
func (q *Queries) UpdateAgentBot(ctx context.Context, b *criachat.AgentBot) error {
	b.Normalize()
	if err := b.Validate(); err != nil {
		return err
	}
	b.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE agent_bots SET name = ?, description = ?, outgoing_url = ?, bot_type = ?, bot_config = ?,
		avatar_url = ?, secret_sealed = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		b.Name, nullable(b.Description), nullable(b.OutgoingURL), b.BotType, jsonText(b.BotConfig), b.AvatarURL,
		b.SecretSealed, micros(b.UpdatedAt), b.AccountID, b.ID)
	if err != nil {
		return err
	}
	if err := affectedOne(res, "agent bot"); err != nil {
		return err
	}
	url := ""
	if b.OutgoingURL != nil {
		url = *b.OutgoingURL
	}
	return q.RetargetDeliveries(ctx, b.AccountID, criachat.TargetAgentBot, b.ID, url) // pending deliveries follow outgoing_url
}

// DeleteAgentBot deletes one of an account's agent bots with its access
// token and inbox connections; conversations assigned to it become
// unassigned (Chatwoot's dependent: :nullify).
func (q *Queries) DeleteAgentBot(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM agent_bots WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return err
	}
	if err := affectedOne(res, "agent bot"); err != nil {
		return err
	}
	if _, err := q.exec(ctx, `UPDATE conversations SET assignee_agent_bot_id = NULL
		WHERE account_id = ? AND assignee_agent_bot_id = ?`, accountID, id); err != nil {
		return err
	}
	_, err = q.exec(ctx, `DELETE FROM access_tokens WHERE owner_type = ? AND owner_id = ?`, criachat.OwnerAgentBot, id)
	q.authChanged()
	return err
}

// SetInboxAgentBot connects an inbox to an agent bot of its account,
// replacing the bot it had; a nil botID disconnects it. An inbox has at most
// one bot (Chatwoot's agent_bot_inbox).
func (q *Queries) SetInboxAgentBot(ctx context.Context, accountID, inboxID int64, botID *int64) error {
	if _, err := q.exec(ctx, `DELETE FROM agent_bot_inboxes WHERE account_id = ? AND inbox_id = ?`, accountID, inboxID); err != nil {
		return err
	}
	if botID == nil {
		return nil
	}
	_, err := q.exec(ctx, `INSERT INTO agent_bot_inboxes (account_id, inbox_id, agent_bot_id, created_at) VALUES (?, ?, ?, ?)`,
		accountID, inboxID, *botID, micros(q.now()))
	return q.d.translate(err)
}

// InboxAgentBot returns the agent bot connected to an inbox; ENOTFOUND when it has none.
func (q *Queries) InboxAgentBot(ctx context.Context, accountID, inboxID int64) (*criachat.AgentBot, error) {
	var s agentBotScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+agentBotColumns+` FROM agent_bot_inboxes i
		JOIN agent_bots b ON b.account_id = i.account_id AND b.id = i.agent_bot_id
		WHERE i.account_id = ? AND i.inbox_id = ?`, accountID, inboxID), "agent bot", s.dest()...); err != nil {
		return nil, err
	}
	return s.bot(), nil
}

// InboxHasActiveBot reports whether an agent bot is connected to an inbox
// (Chatwoot's inbox.active_bot?): its new conversations start pending.
func (q *Queries) InboxHasActiveBot(ctx context.Context, accountID, inboxID int64) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM agent_bot_inboxes WHERE account_id = ? AND inbox_id = ?`,
		accountID, inboxID).Scan(&n)
	return n > 0, err
}

// AgentBotByTokenHash finds an agent bot's access token by hash together
// with the bot. Tokens of other owners are not found here.
func (q *Queries) AgentBotByTokenHash(ctx context.Context, hash string) (*criachat.AccessToken, *criachat.AgentBot, error) {
	var ts tokenScan
	var bs agentBotScan
	row := q.queryRow(ctx, `SELECT `+tokenColumns+`, `+agentBotColumns+`
		FROM access_tokens t JOIN agent_bots b ON b.id = t.owner_id WHERE t.hash = ? AND t.owner_type = ?`, hash, criachat.OwnerAgentBot)
	if err := q.scanOne(row, "access token", append(ts.dest(), bs.dest()...)...); err != nil {
		return nil, nil, err
	}
	return ts.token(), bs.bot(), nil
}
