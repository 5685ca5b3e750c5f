package api

import (
	"context"
	"net/http"
	"sort"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// contactInboxJSON is Chatwoot's contact inbox partial (_contact_inbox.json.jbuilder):
// {source_id, inbox: slim inbox}.
type contactInboxJSON struct {
	SourceID string        `json:"source_id"`
	Inbox    inboxSlimJSON `json:"inbox"`
}

func presentContactInbox(ci store.ContactInboxWithInbox) contactInboxJSON {
	return contactInboxJSON{SourceID: ci.SourceID, Inbox: presentInboxSlim(ci.Inbox)}
}

// contactInboxesOf loads the contact inboxes of a list of contacts, by
// contact id, with one query for the whole list.
func (s *Server) contactInboxesOf(ctx context.Context, q *store.Queries, accountID int64, contacts []*criachat.Contact) (map[int64][]contactInboxJSON, error) {
	ids := make([]int64, len(contacts))
	for i, c := range contacts {
		ids[i] = c.ID
	}
	list, err := q.ContactInboxesOf(ctx, accountID, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]contactInboxJSON, len(contacts))
	for _, ci := range list {
		out[ci.ContactID] = append(out[ci.ContactID], presentContactInbox(ci))
	}
	return out, nil
}

// buildContactInbox creates the contact inbox of a contact in an inbox with
// the given source_id, or one generated for the channel (reference §6.4).
func buildContactInbox(ctx context.Context, q *store.Queries, c *criachat.Contact, in *criachat.Inbox, sourceID *string, hmacVerified bool) (store.ContactInboxWithInbox, error) {
	ci := &criachat.ContactInbox{AccountID: c.AccountID, ContactID: c.ID, InboxID: in.ID, HMACVerified: hmacVerified,
		PubsubToken: secret.NewToken()}
	if sourceID != nil {
		ci.SourceID = *sourceID
	} else {
		id, err := criachat.SourceIDFor(in.ChannelType, secret.NewUUID)
		if err != nil {
			return store.ContactInboxWithInbox{}, err
		}
		ci.SourceID = id
	}
	if err := q.CreateContactInbox(ctx, ci); err != nil {
		return store.ContactInboxWithInbox{}, err
	}
	return store.ContactInboxWithInbox{ContactInbox: ci, Inbox: in}, nil
}

// contactInboxParams is the body of POST /contacts/{id}/contact_inboxes.
type contactInboxParams struct {
	InboxID      *flexInt  `json:"inbox_id"`
	SourceID     *string   `json:"source_id"`
	HMACVerified *flexBool `json:"hmac_verified"`
}

// createContactInbox adds a contact inbox to a contact; the caller must be
// able to reach the inbox (member*, reference §3.4).
func (s *Server) createContactInbox(w http.ResponseWriter, r *http.Request) error {
	var p contactInboxParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.contactFromPath(ctx, r, s.store.Read(), "id")
	if err != nil {
		return err
	}
	var inboxID int64
	if p.InboxID != nil {
		inboxID = int64(*p.InboxID)
	}
	in, err := s.accessibleInbox(r, inboxID)
	if err != nil {
		return err
	}
	var out contactInboxJSON
	err = s.store.Tx(ctx, func(q *store.Queries) error {
		ci, err := buildContactInbox(ctx, q, c, in, p.SourceID, p.HMACVerified != nil && bool(*p.HMACVerified))
		if err != nil {
			return err
		}
		out = presentContactInbox(ci)
		return nil
	})
	if err != nil {
		return err
	}
	return ok(w, out)
}

// contactInboxFilterParams is the body of POST /contact_inboxes/filter.
type contactInboxFilterParams struct {
	InboxID  *flexInt `json:"inbox_id"`
	SourceID *string  `json:"source_id"`
}

// filterContactInboxes finds the contact behind an inbox's source_id and
// answers with it (bare, with its contact inboxes), or 404 with an empty body
// (Chatwoot's head :not_found) when the inbox has no such source_id.
func (s *Server) filterContactInboxes(w http.ResponseWriter, r *http.Request) error {
	var p contactInboxFilterParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	var inboxID int64
	if p.InboxID != nil {
		inboxID = int64(*p.InboxID)
	}
	in, err := s.accessibleInbox(r, inboxID)
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := s.store.Read()
	sourceID := ""
	if p.SourceID != nil {
		sourceID = *p.SourceID
	}
	ci, err := q.ContactInboxBySource(ctx, in.AccountID, in.ID, sourceID)
	if criachat.IsNotFound(err) {
		w.WriteHeader(http.StatusNotFound)
		return nil
	} else if err != nil {
		return err
	}
	c, err := q.Contact(ctx, in.AccountID, ci.ContactID)
	if err != nil {
		return err
	}
	j, err := s.presentOneContact(ctx, q, c, true)
	if err != nil {
		return err
	}
	return ok(w, j)
}

// contactableInboxJSON is one entry of GET /contacts/{id}/contactable_inboxes.
type contactableInboxJSON struct {
	Inbox    inboxSlimJSON `json:"inbox"`
	SourceID string        `json:"source_id"`
}

// contactableInboxes lists the inboxes the caller can reach through which
// the contact can be contacted, with the source_id to use
// (Contacts::ContactableInboxesService): an API inbox always, with the
// contact's latest source_id there or a fresh UUID (not stored); a web widget
// inbox only where the contact already has a contact inbox.
func (s *Server) contactableInboxes(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := s.store.Read()
	c, err := s.contactFromPath(ctx, r, q, "id")
	if err != nil {
		return err
	}
	m := caller(r).member
	var inboxes []*criachat.Inbox
	if m.IsAdmin() {
		inboxes, err = q.Inboxes(ctx, m.AccountID)
	} else {
		inboxes, err = q.MemberInboxes(ctx, m.AccountID, m.UserID)
	}
	if err != nil {
		return err
	}
	sort.Slice(inboxes, func(i, j int) bool { return inboxes[i].ID < inboxes[j].ID })
	cis, err := q.ContactInboxesOf(ctx, c.AccountID, []int64{c.ID})
	if err != nil {
		return err
	}
	latest := map[int64]string{} // inbox id -> the contact's latest source_id there
	for _, ci := range cis {
		latest[ci.InboxID] = ci.SourceID
	}
	out := []contactableInboxJSON{}
	for _, in := range inboxes {
		sourceID, has := latest[in.ID]
		switch {
		case in.IsAPI() && !has:
			sourceID = secret.NewUUID()
		case in.IsWebWidget() && !has:
			continue
		}
		out = append(out, contactableInboxJSON{Inbox: presentInboxSlim(in), SourceID: sourceID})
	}
	return ok(w, map[string]any{"payload": out})
}

// inboxRawJSON is an inbox as Rails' as_json renders the record (the
// contact_inbox.inbox of POST /contacts): the inboxes columns in schema order,
// ISO timestamps, the enum as its name.
type inboxRawJSON struct {
	ID                         int64                   `json:"id"`
	ChannelID                  int64                   `json:"channel_id"`
	AccountID                  int64                   `json:"account_id"`
	Name                       string                  `json:"name"`
	CreatedAt                  string                  `json:"created_at"`
	UpdatedAt                  string                  `json:"updated_at"`
	ChannelType                criachat.ChannelType    `json:"channel_type"`
	EnableAutoAssignment       bool                    `json:"enable_auto_assignment"`
	GreetingEnabled            bool                    `json:"greeting_enabled"`
	GreetingMessage            *string                 `json:"greeting_message"`
	EmailAddress               *string                 `json:"email_address"`
	WorkingHoursEnabled        bool                    `json:"working_hours_enabled"`
	OutOfOfficeMessage         *string                 `json:"out_of_office_message"`
	Timezone                   string                  `json:"timezone"`
	EnableEmailCollect         bool                    `json:"enable_email_collect"`
	CSATSurveyEnabled          bool                    `json:"csat_survey_enabled"`
	AllowMessagesAfterResolved bool                    `json:"allow_messages_after_resolved"`
	AutoAssignmentConfig       map[string]any          `json:"auto_assignment_config"`
	LockToSingleConversation   bool                    `json:"lock_to_single_conversation"`
	PortalID                   *int64                  `json:"portal_id"`
	SenderNameType             criachat.SenderNameType `json:"sender_name_type"`
	BusinessName               *string                 `json:"business_name"`
	CSATConfig                 map[string]any          `json:"csat_config"`
}

func presentInboxRaw(in *criachat.Inbox) inboxRawJSON {
	return inboxRawJSON{
		ID: in.ID, ChannelID: in.ChannelID(), AccountID: in.AccountID, Name: in.Name,
		CreatedAt: present.ISOTime(in.CreatedAt), UpdatedAt: present.ISOTime(in.UpdatedAt), ChannelType: in.ChannelType,
		EnableAutoAssignment: in.EnableAutoAssignment, GreetingEnabled: in.GreetingEnabled, GreetingMessage: in.GreetingMessage,
		WorkingHoursEnabled: in.WorkingHoursEnabled, OutOfOfficeMessage: in.OutOfOfficeMessage, Timezone: in.Timezone,
		EnableEmailCollect: in.EnableEmailCollect, CSATSurveyEnabled: in.CSATSurveyEnabled,
		AllowMessagesAfterResolved: in.AllowMessagesAfterResolved, AutoAssignmentConfig: in.AutoAssignmentConfig,
		LockToSingleConversation: in.LockToSingleConversation, SenderNameType: in.SenderNameType,
		BusinessName: in.BusinessName, CSATConfig: in.CSATConfig,
	}
}
