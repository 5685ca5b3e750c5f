package api

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/store"
)

// contactsPerPage is the page size of the contact lists (reference §3.0).
const contactsPerPage = 15

// contactJSON is Chatwoot's contact object (reference §3.4,
// app/views/api/v1/models/_contact.json.jbuilder), in its key order.
type contactJSON struct {
	AdditionalAttributes map[string]any      `json:"additional_attributes"`
	AvailabilityStatus   string              `json:"availability_status"`
	Email                *string             `json:"email"`
	ID                   int64               `json:"id"`
	Name                 string              `json:"name"`
	PhoneNumber          *string             `json:"phone_number"`
	Blocked              bool                `json:"blocked"`
	Identifier           *string             `json:"identifier"`
	Thumbnail            string              `json:"thumbnail"`
	CustomAttributes     map[string]any      `json:"custom_attributes"`
	LastActivityAt       *int64              `json:"last_activity_at,omitempty"`
	CreatedAt            int64               `json:"created_at"`
	ContactInboxes       *[]contactInboxJSON `json:"contact_inboxes,omitempty"`
}

// presentContact renders a contact without its contact inboxes. Presence is
// not tracked yet, so availability_status is always "offline".
func presentContact(c *criachat.Contact) contactJSON {
	j := contactJSON{
		AdditionalAttributes: c.AdditionalAttributes, AvailabilityStatus: "offline", Email: present.NullString(c.Email), ID: c.ID,
		Name: c.Name, PhoneNumber: present.NullString(c.PhoneNumber), Blocked: c.Blocked, Identifier: present.NullString(c.Identifier),
		Thumbnail: "", CustomAttributes: c.CustomAttributes, CreatedAt: c.CreatedAt.Unix(),
	}
	if c.LastActivityAt != nil {
		t := c.LastActivityAt.Unix()
		j.LastActivityAt = &t
	}
	return j
}

// presentContacts renders contacts, with their contact inboxes when
// withInboxes is set: those are loaded for the whole list in one query.
func (s *Server) presentContacts(ctx context.Context, q *store.Queries, accountID int64, contacts []*criachat.Contact, withInboxes bool) ([]contactJSON, error) {
	out := presentAll(contacts, presentContact)
	if !withInboxes {
		return out, nil
	}
	byContact, err := s.contactInboxesOf(ctx, q, accountID, contacts)
	if err != nil {
		return nil, err
	}
	for i := range out {
		cis := byContact[out[i].ID]
		if cis == nil {
			cis = []contactInboxJSON{}
		}
		out[i].ContactInboxes = &cis
	}
	return out, nil
}

// presentOneContact renders one contact, with its contact inboxes when asked.
func (s *Server) presentOneContact(ctx context.Context, q *store.Queries, c *criachat.Contact, withInboxes bool) (contactJSON, error) {
	list, err := s.presentContacts(ctx, q, c.AccountID, []*criachat.Contact{c}, withInboxes)
	if err != nil {
		return contactJSON{}, err
	}
	return list[0], nil
}

// includeContactInboxes reads include_contact_inboxes: absent means true, and
// when present only "true" means true, as in Chatwoot's controller.
func includeContactInboxes(r *http.Request) bool {
	v, ok := r.URL.Query()["include_contact_inboxes"]
	if !ok || len(v) == 0 {
		return true
	}
	return v[0] == "true"
}

// pageParam reads a 1-based page number; Kaminari treats anything that is not
// a positive integer as page 1.
func pageParam(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 1
	}
	if n > 1<<20 { // keep OFFSET arithmetic far from overflow
		n = 1 << 20
	}
	return n
}

// contactListJSON is the body of the contact list endpoints.
type contactListJSON struct {
	Meta    contactListMeta `json:"meta"`
	Payload []contactJSON   `json:"payload"`
}

type contactListMeta struct {
	Count       int64 `json:"count"`
	CurrentPage int   `json:"current_page"`
	HasMore     *bool `json:"has_more,omitempty"`
}

// labelsParam reads labels[] (or labels) from the query string.
func labelsParam(r *http.Request) []string {
	qv := r.URL.Query()
	raw := make([]string, 0, len(qv["labels[]"])+len(qv["labels"]))
	raw = append(append(raw, qv["labels[]"]...), qv["labels"]...)
	return criachat.NormalizeLabels(raw)
}

// listPage runs a counted contact query for a page and renders it.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request, cq store.ContactQuery, page int) error {
	ctx := r.Context()
	q := s.store.Read()
	total, err := q.CountContacts(ctx, cq)
	if err != nil {
		return err
	}
	cq.Offset, cq.Limit = (page-1)*contactsPerPage, contactsPerPage
	contacts, err := q.Contacts(ctx, cq)
	if err != nil {
		return err
	}
	payload, err := s.presentContacts(ctx, q, cq.AccountID, contacts, includeContactInboxes(r))
	if err != nil {
		return err
	}
	return ok(w, contactListJSON{Meta: contactListMeta{Count: total, CurrentPage: page}, Payload: payload})
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) error {
	qv := r.URL.Query()
	cq := store.ContactQuery{AccountID: caller(r).member.AccountID, Identifiable: true, Labels: labelsParam(r), Sort: qv.Get("sort")}
	return s.listPage(w, r, cq, pageParam(qv.Get("page")))
}

func (s *Server) searchContacts(w http.ResponseWriter, r *http.Request) error {
	qv := r.URL.Query()
	term := strings.TrimSpace(qv.Get("q"))
	if term == "" {
		return criachat.Errorf(criachat.EINVALID, "Specify search string with parameter q")
	}
	page := pageParam(qv.Get("page"))
	ctx := r.Context()
	q := s.store.Read()
	cq := store.ContactQuery{AccountID: caller(r).member.AccountID, Search: term, Sort: qv.Get("sort"),
		Offset: (page - 1) * contactsPerPage, Limit: contactsPerPage + 1}
	contacts, err := q.Contacts(ctx, cq)
	if err != nil {
		return err
	}
	// One row beyond the page tells whether there is more, without a count.
	hasMore := len(contacts) > contactsPerPage
	if hasMore {
		contacts = contacts[:contactsPerPage]
	}
	payload, err := s.presentContacts(ctx, q, cq.AccountID, contacts, includeContactInboxes(r))
	if err != nil {
		return err
	}
	return ok(w, contactListJSON{Meta: contactListMeta{Count: int64(len(payload)), CurrentPage: page, HasMore: &hasMore}, Payload: payload})
}

// filterRowParams is one condition of a filter body.
type filterRowParams struct {
	AttributeKey        string          `json:"attribute_key"`
	FilterOperator      string          `json:"filter_operator"`
	Values              json.RawMessage `json:"values"`
	QueryOperator       *string         `json:"query_operator"`
	CustomAttributeType *string         `json:"custom_attribute_type"`
}

// filterParams is the body of POST /contacts/filter.
type filterParams struct {
	Payload []filterRowParams `json:"payload"`
	Page    *flexInt          `json:"page"`
}

// filterRows converts the body's rows; "values" may be an array or a scalar.
func filterRows(rows []filterRowParams) ([]criachat.FilterRow, error) {
	out := make([]criachat.FilterRow, 0, len(rows))
	for _, p := range rows {
		row := criachat.FilterRow{AttributeKey: p.AttributeKey, FilterOperator: p.FilterOperator}
		if p.QueryOperator != nil {
			row.QueryOperator = *p.QueryOperator
		}
		if p.CustomAttributeType != nil {
			row.CustomAttributeType = *p.CustomAttributeType
		}
		if raw := bytes.TrimSpace(p.Values); len(raw) > 0 && string(raw) != "null" {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil { // raw came from a parsed body
				return nil, criachat.Invalid("Values is invalid", "values")
			}
			switch x := v.(type) {
			case []any:
				row.Values = x
			case string:
				if strings.TrimSpace(x) != "" { // a blank string is a blank value (Rails' blank?)
					row.Values = []any{x}
				}
			default:
				row.Values = []any{x}
			}
		}
		out = append(out, row)
	}
	return out, nil
}

func (s *Server) filterContacts(w http.ResponseWriter, r *http.Request) error {
	var p filterParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	rows, err := filterRows(p.Payload)
	if err != nil {
		return err
	}
	ctx := r.Context()
	accountID := caller(r).member.AccountID
	defs, err := s.store.Read().CustomAttributeDefinitions(ctx, accountID, criachat.ContactAttribute)
	if err != nil {
		return err
	}
	f, err := criachat.ParseContactFilter(rows, s.now().UTC(), criachat.DefinedContactAttrs(defs))
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	page := pageParam(qv.Get("page"))
	if p.Page != nil { // the body's page wins, as Rails merges body params over the query's
		page = pageParam(strconv.FormatInt(int64(*p.Page), 10))
	}
	cq := store.ContactQuery{AccountID: accountID, Identifiable: true, Filter: f, Sort: qv.Get("sort")}
	return s.listPage(w, r, cq, page)
}

// contactFromPath loads the contact of the {id} path parameter in the caller's account.
func (s *Server) contactFromPath(ctx context.Context, r *http.Request, q *store.Queries, param string) (*criachat.Contact, error) {
	id, found := pathID(r, param)
	if !found {
		return nil, criachat.Errorf(criachat.ENOTFOUND, "contact not found")
	}
	return q.Contact(ctx, caller(r).member.AccountID, id)
}

func (s *Server) showContact(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := s.store.Read()
	c, err := s.contactFromPath(ctx, r, q, "id")
	if err != nil {
		return err
	}
	j, err := s.presentOneContact(ctx, q, c, includeContactInboxes(r))
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"payload": j})
}

// optString is a string field where an explicit null differs from absence.
type optString struct {
	set bool
	v   string // "" for null
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *optString) UnmarshalJSON(b []byte) error {
	o.set = true
	if string(b) == "null" {
		o.v = ""
		return nil
	}
	if err := json.Unmarshal(b, &o.v); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeOf("")}
	}
	return nil
}

func (o optString) apply(dst *string) {
	if o.set {
		*dst = o.v
	}
}

// contactParams is the body of contact create and update: top-level fields,
// as Chatwoot's controller permits them (wrap_parameters does not apply).
type contactParams struct {
	Name                 optString      `json:"name"`
	Email                optString      `json:"email"`
	PhoneNumber          optString      `json:"phone_number"`
	Identifier           optString      `json:"identifier"`
	Blocked              *flexBool      `json:"blocked"`
	AdditionalAttributes map[string]any `json:"additional_attributes"`
	CustomAttributes     map[string]any `json:"custom_attributes"`
	AvatarURL            *string        `json:"avatar_url"`
	InboxID              *flexInt       `json:"inbox_id"`
	SourceID             *string        `json:"source_id"`
}

// apply sets the given fields on c; attributes are merged into the existing
// ones (reference §9.5), so a create starts from empty attributes.
func (p contactParams) apply(c *criachat.Contact) {
	p.Name.apply(&c.Name)
	p.Email.apply(&c.Email)
	p.PhoneNumber.apply(&c.PhoneNumber)
	p.Identifier.apply(&c.Identifier)
	if p.Blocked != nil {
		c.Blocked = bool(*p.Blocked)
	}
	if p.AdditionalAttributes != nil {
		c.AdditionalAttributes = criachat.MergeAttributes(c.AdditionalAttributes, p.AdditionalAttributes)
	}
	if p.CustomAttributes != nil {
		c.CustomAttributes = criachat.MergeAttributes(c.CustomAttributes, p.CustomAttributes)
	}
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) error {
	var p contactParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	return s.changeContact(w, r, includeContactInboxes(r), p.apply)
}

// changeContact applies change to the contact of the path in one
// transaction, records contact_updated with what changed and answers
// {"payload": contact}.
func (s *Server) changeContact(w http.ResponseWriter, r *http.Request, withInboxes bool, change func(c *criachat.Contact)) error {
	ctx := r.Context()
	var out contactJSON
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		c, err := s.contactFromPath(ctx, r, q, "id")
		if err != nil {
			return err
		}
		before := *c
		before.AdditionalAttributes, before.CustomAttributes = maps.Clone(c.AdditionalAttributes), maps.Clone(c.CustomAttributes)
		change(c)
		if err := q.UpdateContact(ctx, c); err != nil {
			return err
		}
		if err := s.events.ContactUpdated(ctx, q, &before, c); err != nil {
			return err
		}
		out, err = s.presentOneContact(ctx, q, c, withInboxes)
		return err
	})
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"payload": out})
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "contact not found")
	}
	ctx := r.Context()
	if err := s.store.Tx(ctx, func(q *store.Queries) error { return s.removeContact(ctx, q, caller(r).member.AccountID, id) }); err != nil {
		return err
	}
	return okEmpty(w)
}

// removeContact deletes a contact with its conversations and records
// conversation_deleted for each and contact_deleted, with their last state.
func (s *Server) removeContact(ctx context.Context, q *store.Queries, accountID, id int64) error {
	c, err := q.Contact(ctx, accountID, id)
	if err != nil {
		return err
	}
	convs, _, err := q.ListConversations(ctx, store.ConversationFilter{AccountID: accountID, Status: "all", ContactID: id})
	if err != nil {
		return err
	}
	for _, conv := range convs {
		if err := s.events.Conversation(ctx, q, conv, nil, criachat.EventConversationDeleted); err != nil {
			return err
		}
	}
	if err := s.events.Contact(ctx, q, c, nil, criachat.EventContactDeleted); err != nil {
		return err
	}
	return q.DeleteContact(ctx, accountID, id)
}

// destroyCustomAttributesParams is the body of POST …/destroy_custom_attributes.
type destroyCustomAttributesParams struct {
	CustomAttributes []string `json:"custom_attributes"`
}

func (s *Server) destroyContactCustomAttributes(w http.ResponseWriter, r *http.Request) error {
	var p destroyCustomAttributesParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	return s.changeContact(w, r, true, func(c *criachat.Contact) {
		for _, k := range p.CustomAttributes {
			delete(c.CustomAttributes, k)
		}
	})
}

// labelsParams is the body of POST …/contacts/{id}/labels.
type labelsParams struct {
	Labels []string `json:"labels"`
}

func (s *Server) listContactLabels(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := s.store.Read()
	c, err := s.contactFromPath(ctx, r, q, "id")
	if err != nil {
		return err
	}
	labels, err := q.ContactLabels(ctx, c.AccountID, c.ID)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"payload": labels})
}

// setContactLabels replaces the contact's labels (reference §9.4); a body
// without labels clears them, as Chatwoot's update_labels(nil) does.
func (s *Server) setContactLabels(w http.ResponseWriter, r *http.Request) error {
	var p labelsParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	ctx := r.Context()
	var labels []string
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		c, err := s.contactFromPath(ctx, r, q, "id")
		if err != nil {
			return err
		}
		labels, err = q.SetContactLabels(ctx, c.AccountID, c.ID, p.Labels)
		return err
	})
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"payload": labels})
}

// mergeParams is the body of POST /actions/contact_merge.
type mergeParams struct {
	BaseContactID   *flexInt `json:"base_contact_id"`
	MergeeContactID *flexInt `json:"mergee_contact_id"`
}

// mergeContacts merges the mergee into the base (reference §9.7) and answers
// with the base contact, bare and without contact inboxes.
func (s *Server) mergeContacts(w http.ResponseWriter, r *http.Request) error {
	var p mergeParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	if p.BaseContactID == nil || p.MergeeContactID == nil {
		return criachat.Errorf(criachat.ENOTFOUND, "contact not found")
	}
	ctx := r.Context()
	var base *criachat.Contact
	err := s.store.Tx(ctx, func(q *store.Queries) (err error) {
		accountID := caller(r).member.AccountID
		mergee, err := q.Contact(ctx, accountID, int64(*p.MergeeContactID))
		if err != nil {
			return err
		}
		if base, err = q.MergeContacts(ctx, accountID, int64(*p.BaseContactID), mergee.ID); err != nil {
			return err
		}
		if err := s.events.Contact(ctx, q, mergee, nil, criachat.EventContactDeleted); err != nil {
			return err
		}
		return s.events.Contact(ctx, q, base, nil, criachat.EventContactMerged)
	})
	if err != nil {
		return err
	}
	return ok(w, presentContact(base))
}

// contactCreatedJSON is the body of POST /contacts.
type contactCreatedJSON struct {
	Payload struct {
		Contact      contactJSON `json:"contact"`
		ContactInbox struct {
			Inbox    *inboxRawJSON `json:"inbox"`
			SourceID *string       `json:"source_id"`
		} `json:"contact_inbox"`
	} `json:"payload"`
}

// createContact creates a contact and, with inbox_id, its contact inbox in
// that inbox of the account (source_id given or generated, reference §6.4),
// in one transaction: a refused contact inbox creates no contact.
func (s *Server) createContact(w http.ResponseWriter, r *http.Request) error {
	var p contactParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	ctx := r.Context()
	var out contactCreatedJSON
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		c := &criachat.Contact{AccountID: caller(r).member.AccountID}
		p.apply(c)
		if err := q.CreateContact(ctx, c); err != nil {
			return err
		}
		if err := s.events.Contact(ctx, q, c, nil, criachat.EventContactCreated); err != nil {
			return err
		}
		if p.InboxID != nil && *p.InboxID != 0 {
			in, err := q.Inbox(ctx, c.AccountID, int64(*p.InboxID))
			if err != nil {
				return err
			}
			ci, err := buildContactInbox(ctx, q, c, in, p.SourceID, false)
			if err != nil {
				return err
			}
			raw := presentInboxRaw(in)
			out.Payload.ContactInbox.Inbox, out.Payload.ContactInbox.SourceID = &raw, &ci.SourceID
		}
		j, err := s.presentOneContact(ctx, q, c, true)
		out.Payload.Contact = j
		return err
	})
	if err != nil {
		return err
	}
	return ok(w, out)
}
