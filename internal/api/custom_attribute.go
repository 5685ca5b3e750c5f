package api

import (
	"net/http"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/store"
)

// customAttributeJSON is Chatwoot's custom attribute definition
// (app/views/api/v1/accounts/custom_attribute_definitions/_custom_attribute_definition.json.jbuilder).
// default_value cannot be set through the API, so it is always null.
type customAttributeJSON struct {
	ID                   int64                         `json:"id"`
	AttributeDisplayName string                        `json:"attribute_display_name"`
	AttributeDisplayType criachat.AttributeDisplayType `json:"attribute_display_type"`
	AttributeDescription *string                       `json:"attribute_description"`
	AttributeKey         string                        `json:"attribute_key"`
	RegexPattern         *string                       `json:"regex_pattern"`
	RegexCue             *string                       `json:"regex_cue"`
	AttributeValues      []string                      `json:"attribute_values"`
	AttributeModel       criachat.AttributeModel       `json:"attribute_model"`
	DefaultValue         *int64                        `json:"default_value"`
	CreatedAt            string                        `json:"created_at"`
	UpdatedAt            string                        `json:"updated_at"`
}

func presentCustomAttribute(d *criachat.CustomAttributeDefinition) customAttributeJSON {
	values := d.Values
	if values == nil {
		values = []string{}
	}
	return customAttributeJSON{
		ID: d.ID, AttributeDisplayName: d.DisplayName, AttributeDisplayType: d.DisplayType,
		AttributeDescription: d.Description, AttributeKey: d.Key, RegexPattern: d.RegexPattern, RegexCue: d.RegexCue,
		AttributeValues: values, AttributeModel: d.Model, CreatedAt: present.ISOTime(d.CreatedAt), UpdatedAt: present.ISOTime(d.UpdatedAt),
	}
}

// customAttributeParams is the body of create and update, under "custom_attribute_definition".
type customAttributeParams struct {
	DisplayName  *string    `json:"attribute_display_name"`
	Description  *string    `json:"attribute_description"`
	DisplayType  *enumParam `json:"attribute_display_type"`
	Key          *string    `json:"attribute_key"`
	Model        *enumParam `json:"attribute_model"`
	RegexPattern *string    `json:"regex_pattern"`
	RegexCue     *string    `json:"regex_cue"`
	Values       *[]string  `json:"attribute_values"`
}

func (p customAttributeParams) apply(d *criachat.CustomAttributeDefinition) {
	setStr(&d.DisplayName, p.DisplayName)
	setStr(&d.Key, p.Key)
	if p.Description != nil {
		d.Description = p.Description
	}
	if p.DisplayType != nil {
		d.DisplayType = enumOf(*p.DisplayType, criachat.AttributeDisplayTypes)
	}
	if p.Model != nil {
		d.Model = enumOf(*p.Model, criachat.AttributeModels)
	}
	if p.RegexPattern != nil {
		d.RegexPattern = p.RegexPattern
	}
	if p.RegexCue != nil {
		d.RegexCue = p.RegexCue
	}
	if p.Values != nil {
		d.Values = *p.Values
	}
}

// listCustomAttributes lists the definitions of the attribute_model given, or
// of every model when it is absent (Chatwoot's with_attribute_model scope).
func (s *Server) listCustomAttributes(w http.ResponseWriter, r *http.Request) error {
	model := enumQuery(r.URL.Query().Get("attribute_model"), criachat.AttributeModels)
	list, err := s.store.Read().CustomAttributeDefinitions(r.Context(), caller(r).member.AccountID, model)
	if err != nil {
		return err
	}
	return ok(w, presentAll(list, presentCustomAttribute))
}

func (s *Server) showCustomAttribute(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "custom attribute definition not found")
	}
	d, err := s.store.Read().CustomAttributeDefinition(r.Context(), caller(r).member.AccountID, id)
	if err != nil {
		return err
	}
	return ok(w, presentCustomAttribute(d))
}

func (s *Server) createCustomAttribute(w http.ResponseWriter, r *http.Request) error {
	var p customAttributeParams
	if err := decode(r, "custom_attribute_definition", &p); err != nil {
		return err
	}
	d := &criachat.CustomAttributeDefinition{AccountID: caller(r).member.AccountID}
	p.apply(d)
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error {
		return q.CreateCustomAttributeDefinition(r.Context(), d)
	}); err != nil {
		return err
	}
	return ok(w, presentCustomAttribute(d))
}

func (s *Server) updateCustomAttribute(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "custom attribute definition not found")
	}
	var p customAttributeParams
	if err := decode(r, "custom_attribute_definition", &p); err != nil {
		return err
	}
	var d *criachat.CustomAttributeDefinition
	err := s.store.Tx(r.Context(), func(q *store.Queries) (err error) {
		if d, err = q.CustomAttributeDefinition(r.Context(), caller(r).member.AccountID, id); err != nil {
			return err
		}
		p.apply(d)
		return q.UpdateCustomAttributeDefinition(r.Context(), d)
	})
	if err != nil {
		return err
	}
	return ok(w, presentCustomAttribute(d))
}

func (s *Server) deleteCustomAttribute(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "custom attribute definition not found")
	}
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error {
		return q.DeleteCustomAttributeDefinition(r.Context(), caller(r).member.AccountID, id)
	}); err != nil {
		return err
	}
	return noContent(w)
}
