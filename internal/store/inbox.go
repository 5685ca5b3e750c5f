package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/criachat/criachat/internal/criachat"
)

const inboxColumns = `i.id, i.account_id, i.name, i.channel_type, i.greeting_enabled, i.greeting_message,
	i.enable_email_collect, i.csat_survey_enabled, i.csat_config, i.enable_auto_assignment, i.auto_assignment_config,
	i.working_hours_enabled, i.out_of_office_message, i.working_hours, i.timezone, i.allow_messages_after_resolved,
	i.lock_to_single_conversation, i.sender_name_type, i.business_name, i.hmac_token_sealed, i.hmac_mandatory,
	i.inbox_identifier, i.secret_sealed, i.webhook_url, i.additional_attributes, i.website_token, i.website_url,
	i.widget_color, i.welcome_title, i.welcome_tagline, i.reply_time, i.pre_chat_form_enabled, i.pre_chat_form_options,
	i.continuity_via_email, i.allowed_domains, i.feature_flags, i.created_at, i.updated_at`

// inboxScan holds the scan targets of inboxColumns.
type inboxScan struct {
	in                                                  criachat.Inbox
	greeting, outOfOffice, business, webhook            sql.NullString
	identifier, websiteToken, welcomeTitle, welcomeTag  sql.NullString
	csat, autoAssign, hours, additional, preChat, flags []byte
	created, updated                                    int64
}

func (s *inboxScan) dest() []any {
	in := &s.in
	return []any{&in.ID, &in.AccountID, &in.Name, &in.ChannelType, &in.GreetingEnabled, &s.greeting,
		&in.EnableEmailCollect, &in.CSATSurveyEnabled, &s.csat, &in.EnableAutoAssignment, &s.autoAssign,
		&in.WorkingHoursEnabled, &s.outOfOffice, &s.hours, &in.Timezone, &in.AllowMessagesAfterResolved,
		&in.LockToSingleConversation, &in.SenderNameType, &s.business, &in.HMACTokenSealed, &in.HMACMandatory,
		&s.identifier, &in.SecretSealed, &s.webhook, &s.additional, &s.websiteToken, &in.WebsiteURL,
		&in.WidgetColor, &s.welcomeTitle, &s.welcomeTag, &in.ReplyTime, &in.PreChatFormEnabled, &s.preChat,
		&in.ContinuityViaEmail, &in.AllowedDomains, &s.flags, &s.created, &s.updated}
}

func (s *inboxScan) inbox() *criachat.Inbox {
	in := s.in
	in.GreetingMessage, in.OutOfOfficeMessage, in.BusinessName = optString(s.greeting), optString(s.outOfOffice), optString(s.business)
	in.WebhookURL, in.WelcomeTitle, in.WelcomeTagline = optString(s.webhook), optString(s.welcomeTitle), optString(s.welcomeTag)
	in.Identifier, in.WebsiteToken = s.identifier.String, s.websiteToken.String
	in.CSATConfig = jsonMap[any](s.csat)
	in.AutoAssignmentConfig = jsonMap[any](s.autoAssign)
	in.AdditionalAttributes = jsonMap[any](s.additional)
	in.PreChatFormOptions = jsonMap[any](s.preChat)
	_ = json.Unmarshal(s.hours, &in.WorkingHours) // a broken document reads as the default week (Normalize)
	_ = json.Unmarshal(s.flags, &in.FeatureFlags)
	in.CreatedAt, in.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	in.Normalize()
	return &in
}

// emptyNull stores "" as NULL, for the unique public keys of one channel type.
func emptyNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateInbox validates and inserts in, setting its ID and timestamps. The
// caller sets the channel's tokens and sealed secrets.
func (q *Queries) CreateInbox(ctx context.Context, in *criachat.Inbox) error {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	in.CreatedAt, in.UpdatedAt = now, now
	err := q.queryRow(ctx, `INSERT INTO inboxes (account_id, name, channel_type, greeting_enabled, greeting_message,
		enable_email_collect, csat_survey_enabled, csat_config, enable_auto_assignment, auto_assignment_config,
		working_hours_enabled, out_of_office_message, working_hours, timezone, allow_messages_after_resolved,
		lock_to_single_conversation, sender_name_type, business_name, hmac_token_sealed, hmac_mandatory,
		inbox_identifier, secret_sealed, webhook_url, additional_attributes, website_token, website_url,
		widget_color, welcome_title, welcome_tagline, reply_time, pre_chat_form_enabled, pre_chat_form_options,
		continuity_via_email, allowed_domains, feature_flags, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		in.AccountID, in.Name, in.ChannelType, in.GreetingEnabled, nullable(in.GreetingMessage),
		in.EnableEmailCollect, in.CSATSurveyEnabled, jsonText(in.CSATConfig), in.EnableAutoAssignment, jsonText(in.AutoAssignmentConfig),
		in.WorkingHoursEnabled, nullable(in.OutOfOfficeMessage), jsonList(in.WorkingHours), in.Timezone, in.AllowMessagesAfterResolved,
		in.LockToSingleConversation, in.SenderNameType, nullable(in.BusinessName), in.HMACTokenSealed, in.HMACMandatory,
		emptyNull(in.Identifier), in.SecretSealed, nullable(in.WebhookURL), jsonText(in.AdditionalAttributes), emptyNull(in.WebsiteToken), in.WebsiteURL,
		in.WidgetColor, nullable(in.WelcomeTitle), nullable(in.WelcomeTagline), in.ReplyTime, in.PreChatFormEnabled, jsonText(in.PreChatFormOptions),
		in.ContinuityViaEmail, in.AllowedDomains, jsonList(in.FeatureFlags), micros(now), micros(now)).Scan(&in.ID)
	if err = q.d.translate(err); errors.Is(err, ErrForeignKey) {
		return &criachat.Error{Code: criachat.ENOTFOUND, Message: "account not found", Err: err}
	}
	return err
}

// UpdateInbox validates and saves every field of in except its channel type
// and public keys (inbox_identifier, website_token), which never change. The
// pending callbacks of an API inbox follow its webhook_url.
func (q *Queries) UpdateInbox(ctx context.Context, in *criachat.Inbox) error {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	in.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE inboxes SET name = ?, greeting_enabled = ?, greeting_message = ?,
		enable_email_collect = ?, csat_survey_enabled = ?, csat_config = ?, enable_auto_assignment = ?,
		auto_assignment_config = ?, working_hours_enabled = ?, out_of_office_message = ?, working_hours = ?,
		timezone = ?, allow_messages_after_resolved = ?, lock_to_single_conversation = ?, sender_name_type = ?,
		business_name = ?, hmac_token_sealed = ?, hmac_mandatory = ?, secret_sealed = ?, webhook_url = ?,
		additional_attributes = ?, website_url = ?, widget_color = ?, welcome_title = ?, welcome_tagline = ?,
		reply_time = ?, pre_chat_form_enabled = ?, pre_chat_form_options = ?, continuity_via_email = ?,
		allowed_domains = ?, feature_flags = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		in.Name, in.GreetingEnabled, nullable(in.GreetingMessage),
		in.EnableEmailCollect, in.CSATSurveyEnabled, jsonText(in.CSATConfig), in.EnableAutoAssignment,
		jsonText(in.AutoAssignmentConfig), in.WorkingHoursEnabled, nullable(in.OutOfOfficeMessage), jsonList(in.WorkingHours),
		in.Timezone, in.AllowMessagesAfterResolved, in.LockToSingleConversation, in.SenderNameType,
		nullable(in.BusinessName), in.HMACTokenSealed, in.HMACMandatory, in.SecretSealed, nullable(in.WebhookURL),
		jsonText(in.AdditionalAttributes), in.WebsiteURL, in.WidgetColor, nullable(in.WelcomeTitle), nullable(in.WelcomeTagline),
		in.ReplyTime, in.PreChatFormEnabled, jsonText(in.PreChatFormOptions), in.ContinuityViaEmail,
		in.AllowedDomains, jsonList(in.FeatureFlags), micros(in.UpdatedAt), in.AccountID, in.ID)
	if err != nil {
		return err
	}
	if err := affectedOne(res, "inbox"); err != nil || !in.IsAPI() {
		return err
	}
	url := ""
	if in.WebhookURL != nil {
		url = *in.WebhookURL
	}
	return q.RetargetDeliveries(ctx, in.AccountID, criachat.TargetAPIInbox, in.ID, url)
}

// DeleteInbox deletes an inbox of the account and, by cascade, everything
// that belongs to it (members, and the rows of later tables that reference it).
func (q *Queries) DeleteInbox(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM inboxes WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return err
	}
	return affectedOne(res, "inbox")
}

// CountInboxes counts an account's inboxes (for the "inboxes" account limit).
func (q *Queries) CountInboxes(ctx context.Context, accountID int64) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM inboxes WHERE account_id = ?`, accountID).Scan(&n)
	return n, q.d.translate(err)
}

// Inbox returns the inbox with the id in the account; an inbox of another
// account is ENOTFOUND.
func (q *Queries) Inbox(ctx context.Context, accountID, id int64) (*criachat.Inbox, error) {
	return q.oneInbox(ctx, `SELECT `+inboxColumns+` FROM inboxes i WHERE i.account_id = ? AND i.id = ?`, accountID, id)
}

// InboxByIdentifier returns the API-channel inbox whose public
// inbox_identifier is identifier (the Client API's path key, reference §2.4).
// It is not scoped by account: the identifier is what names the account.
func (q *Queries) InboxByIdentifier(ctx context.Context, identifier string) (*criachat.Inbox, error) {
	if identifier == "" {
		return nil, criachat.Errorf(criachat.ENOTFOUND, "inbox not found")
	}
	return q.oneInbox(ctx, `SELECT `+inboxColumns+` FROM inboxes i WHERE i.inbox_identifier = ? AND i.channel_type = 'Channel::Api'`, identifier)
}

// InboxByWebsiteToken returns the web widget inbox whose public website_token
// is token (the Widget API's key, reference §2.5). Like InboxByIdentifier it
// is not scoped by account.
func (q *Queries) InboxByWebsiteToken(ctx context.Context, token string) (*criachat.Inbox, error) {
	if token == "" {
		return nil, criachat.Errorf(criachat.ENOTFOUND, "inbox not found")
	}
	return q.oneInbox(ctx, `SELECT `+inboxColumns+` FROM inboxes i WHERE i.website_token = ? AND i.channel_type = 'Channel::WebWidget'`, token)
}

func (q *Queries) oneInbox(ctx context.Context, query string, args ...any) (*criachat.Inbox, error) {
	var s inboxScan
	if err := q.scanOne(q.queryRow(ctx, query, args...), "inbox", s.dest()...); err != nil {
		return nil, err
	}
	return s.inbox(), nil
}

// Inboxes lists an account's inboxes ordered by lower(name), as Chatwoot's index does.
func (q *Queries) Inboxes(ctx context.Context, accountID int64) ([]*criachat.Inbox, error) {
	return q.inboxList(ctx, `SELECT `+inboxColumns+` FROM inboxes i WHERE i.account_id = ?
		ORDER BY LOWER(i.name), i.id`, accountID)
}

// MemberInboxes lists the account's inboxes the user is a member of, ordered
// like Inboxes: what an agent sees (reference §2.6).
func (q *Queries) MemberInboxes(ctx context.Context, accountID, userID int64) ([]*criachat.Inbox, error) {
	return q.inboxList(ctx, `SELECT `+inboxColumns+` FROM inboxes i
		JOIN inbox_members im ON im.inbox_id = i.id AND im.account_id = i.account_id
		WHERE i.account_id = ? AND im.user_id = ? ORDER BY LOWER(i.name), i.id`, accountID, userID)
}

// InboxesByIDs returns the account's inboxes among ids, by id, in one query.
// Ids that are not inboxes of the account are left out, so callers that need
// all of them compare lengths (after removing duplicates from ids).
func (q *Queries) InboxesByIDs(ctx context.Context, accountID int64, ids []int64) ([]*criachat.Inbox, error) {
	return q.inboxList(ctx, `SELECT `+inboxColumns+` FROM inboxes i
		WHERE i.account_id = ? AND i.id IN (`+q.d.idSet()+`) ORDER BY i.id`, accountID, jsonList(ids))
}

func (q *Queries) inboxList(ctx context.Context, query string, args ...any) ([]*criachat.Inbox, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.Inbox{}
	for rows.Next() {
		var s inboxScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, q.d.translate(err)
		}
		out = append(out, s.inbox())
	}
	return out, q.d.translate(rows.Err())
}

// IsInboxMember reports whether the user is a member of the inbox. Inbox ids
// are unique across accounts, and a membership exists only within the
// inbox's account (foreign key), so the pair needs no account scope.
func (q *Queries) IsInboxMember(ctx context.Context, inboxID, userID int64) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM inbox_members WHERE inbox_id = ? AND user_id = ?`, inboxID, userID).Scan(&n)
	return n > 0, q.d.translate(err)
}

// MemberInboxIDs lists the ids of the account's inboxes the user is a member
// of, ascending: the inboxes whose conversations an agent may see.
func (q *Queries) MemberInboxIDs(ctx context.Context, accountID, userID int64) ([]int64, error) {
	rows, err := q.query(ctx, `SELECT inbox_id FROM inbox_members WHERE account_id = ? AND user_id = ? ORDER BY inbox_id`, accountID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, q.d.translate(err)
		}
		ids = append(ids, id)
	}
	return ids, q.d.translate(rows.Err())
}

// InboxMembers lists the members of an inbox of the account as agents,
// ordered by lower(name) like the agents index.
func (q *Queries) InboxMembers(ctx context.Context, accountID, inboxID int64) ([]criachat.Agent, error) {
	return q.agents(ctx, `SELECT `+userColumns+`, `+memberColumns+` FROM inbox_members im
		JOIN account_users m ON m.account_id = im.account_id AND m.user_id = im.user_id
		JOIN users u ON u.id = im.user_id
		WHERE im.account_id = ? AND im.inbox_id = ? ORDER BY LOWER(u.name), u.id`, accountID, inboxID)
}

// AssignableAgents lists the account's agents who may be assigned a
// conversation of every inbox in inboxIDs: the members common to all of them,
// plus every administrator (reference §3.2), ordered by lower(name). With no
// inbox ids it is the administrators.
func (q *Queries) AssignableAgents(ctx context.Context, accountID int64, inboxIDs []int64) ([]criachat.Agent, error) {
	ids := uniqueIDs(inboxIDs)
	return q.agents(ctx, `SELECT `+userColumns+`, `+memberColumns+` FROM account_users m
		JOIN users u ON u.id = m.user_id
		WHERE m.account_id = ? AND (m.role = 'administrator' OR m.user_id IN (
			SELECT im.user_id FROM inbox_members im WHERE im.account_id = ? AND im.inbox_id IN (`+q.d.idSet()+`)
			GROUP BY im.user_id HAVING COUNT(DISTINCT im.inbox_id) = ?))
		ORDER BY LOWER(u.name), u.id`, accountID, accountID, jsonList(ids), int64(len(ids)))
}

// AreAccountUsers reports whether every user id is a member of the account.
func (q *Queries) AreAccountUsers(ctx context.Context, accountID int64, userIDs []int64) (bool, error) {
	ids := uniqueIDs(userIDs)
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM account_users WHERE account_id = ? AND user_id IN (`+q.d.idSet()+`)`,
		accountID, jsonList(ids)).Scan(&n)
	return n == len(ids), q.d.translate(err)
}

// errNotAccountUsers is the answer to member ids outside the account, with
// Chatwoot's message (InboxMembersController#validate_member_id_params).
func errNotAccountUsers(err error) error {
	return &criachat.Error{Code: criachat.EINVALID, Message: "Invalid User IDs", Err: err}
}

// AddInboxMembers makes the users members of an inbox of the account, which
// the caller has loaded in the same transaction; users who already are stay
// so. A user who is not a member of the account is EINVALID "Invalid User
// IDs" and the transaction must be abandoned.
func (q *Queries) AddInboxMembers(ctx context.Context, accountID, inboxID int64, userIDs []int64) error {
	now := micros(q.now())
	for _, uid := range uniqueIDs(userIDs) {
		_, err := q.exec(ctx, `INSERT INTO inbox_members (account_id, inbox_id, user_id, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (inbox_id, user_id) DO NOTHING`, accountID, inboxID, uid, now)
		if errors.Is(err, ErrForeignKey) {
			// The caller has found the inbox in the account, so the user is the missing key.
			return errNotAccountUsers(err)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// RemoveInboxMembers removes the users from an inbox of the account; ids that
// are not members are ignored.
func (q *Queries) RemoveInboxMembers(ctx context.Context, accountID, inboxID int64, userIDs []int64) error {
	_, err := q.exec(ctx, `DELETE FROM inbox_members WHERE account_id = ? AND inbox_id = ? AND user_id IN (`+q.d.idSet()+`)`,
		accountID, inboxID, jsonList(uniqueIDs(userIDs)))
	return err
}

// SetInboxMembers makes the users exactly the members of an inbox of the
// account (PATCH /inbox_members), with AddInboxMembers' rule for users
// outside the account.
func (q *Queries) SetInboxMembers(ctx context.Context, accountID, inboxID int64, userIDs []int64) error {
	ids := uniqueIDs(userIDs)
	if _, err := q.exec(ctx, `DELETE FROM inbox_members WHERE account_id = ? AND inbox_id = ? AND user_id NOT IN (`+q.d.idSet()+`)`,
		accountID, inboxID, jsonList(ids)); err != nil {
		return err
	}
	return q.AddInboxMembers(ctx, accountID, inboxID, ids)
}

// uniqueIDs drops repeated ids, keeping the first occurrence; never nil.
func uniqueIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// InboxChannelType returns an inbox's channel type alone: the message paths
// need nothing else, and the full inbox row is costly to decode.
func (q *Queries) InboxChannelType(ctx context.Context, accountID, id int64) (criachat.ChannelType, error) {
	var t criachat.ChannelType
	err := q.scanOne(q.queryRow(ctx, `SELECT channel_type FROM inboxes WHERE account_id = ? AND id = ?`, accountID, id), "inbox", &t)
	return t, err
}
