package store_test

import (
	"context"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

func TestCustomAttributeDefinitions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newCatalogFixture(t, s)
		create := func(d *criachat.CustomAttributeDefinition) error {
			return s.Tx(ctx, func(q *store.Queries) error { return q.CreateCustomAttributeDefinition(ctx, d) })
		}
		desc := "Plan"
		plan := &criachat.CustomAttributeDefinition{AccountID: f.a.ID, DisplayName: " Plan ", Key: " plan ",
			DisplayType: criachat.DisplayList, Description: &desc, Values: []string{"free", "pro"}}
		tier := &criachat.CustomAttributeDefinition{AccountID: f.a.ID, DisplayName: "Tier", Key: "plan", Model: criachat.ContactAttribute}
		for _, d := range []*criachat.CustomAttributeDefinition{plan, tier} {
			if err := create(d); err != nil {
				t.Fatal(err)
			}
		}
		if plan.Key != "plan" || plan.DisplayName != "Plan" || plan.Model != criachat.ConversationAttribute {
			t.Fatalf("normalised definition = %+v", plan)
		}
		if err := create(&criachat.CustomAttributeDefinition{AccountID: f.b.ID, DisplayName: "Plan", Key: "plan"}); err != nil {
			t.Fatal(err)
		}
		wantRecordInvalid(t, create(&criachat.CustomAttributeDefinition{AccountID: f.a.ID, DisplayName: "P", Key: "plan"}),
			criachat.ECONFLICT, "Attribute key has already been taken", "attribute_key")
		wantRecordInvalid(t, create(&criachat.CustomAttributeDefinition{AccountID: f.a.ID, DisplayName: "S", Key: "status"}),
			criachat.EINVALID, "Attribute key The provided key is not allowed as it might conflict with default attributes.", "attribute_key")
		wantRecordInvalid(t, create(&criachat.CustomAttributeDefinition{AccountID: f.a.ID, DisplayName: "S", Key: "a b"}),
			criachat.EINVALID, "Attribute key must only contain letters, numbers, underscores, hyphens, and dots", "attribute_key")
		wantRecordInvalid(t, create(&criachat.CustomAttributeDefinition{AccountID: f.a.ID, DisplayName: "S", Key: "k", DisplayType: "color"}),
			criachat.EINVALID, "Attribute display type is not included in the list", "attribute_display_type")
		wantRecordInvalid(t, create(&criachat.CustomAttributeDefinition{AccountID: f.a.ID, DisplayName: "S", Key: "k", Model: "company_attribute"}),
			criachat.EINVALID, "Attribute model is not included in the list", "attribute_model")
		wantRecordInvalid(t, create(&criachat.CustomAttributeDefinition{AccountID: f.a.ID, Key: "k"}),
			criachat.EINVALID, "Attribute display name can't be blank", "attribute_display_name")

		all, err := s.Read().CustomAttributeDefinitions(ctx, f.a.ID, "")
		if err != nil || len(all) != 2 || all[0].ID != plan.ID || all[1].ID != tier.ID {
			t.Fatalf("all definitions = %+v, %v", all, err)
		}
		contact, _ := s.Read().CustomAttributeDefinitions(ctx, f.a.ID, criachat.ContactAttribute)
		if len(contact) != 1 || contact[0].ID != tier.ID || len(contact[0].Values) != 0 || contact[0].Values == nil {
			t.Fatalf("contact definitions = %+v", contact)
		}
		got, err := s.Read().CustomAttributeDefinition(ctx, f.a.ID, plan.ID)
		if err != nil || got.Description == nil || *got.Description != "Plan" || len(got.Values) != 2 || got.Values[1] != "pro" || got.RegexCue != nil {
			t.Fatalf("definition = %+v, %v", got, err)
		}
		if _, err := s.Read().CustomAttributeDefinition(ctx, f.b.ID, plan.ID); !criachat.IsNotFound(err) {
			t.Fatalf("definition through another account: %v", err)
		}
		if keys, _ := s.Read().CustomAttributeKeys(ctx, f.a.ID, criachat.ConversationAttribute); len(keys) != 1 || keys[0] != "plan" {
			t.Fatalf("CustomAttributeKeys = %v", keys)
		}
		cue := "digits only"
		got.RegexCue, got.DisplayType, got.Values = &cue, criachat.DisplayNumber, nil
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateCustomAttributeDefinition(ctx, got) }); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Read().CustomAttributeDefinition(ctx, f.a.ID, plan.ID)
		if again.RegexCue == nil || *again.RegexCue != cue || again.DisplayType != criachat.DisplayNumber || len(again.Values) != 0 {
			t.Fatalf("updated = %+v", again)
		}
		// Moving the definition to a model that already has its key is taken.
		again.Model = criachat.ContactAttribute
		err = s.Tx(ctx, func(q *store.Queries) error { return q.UpdateCustomAttributeDefinition(ctx, again) })
		wantRecordInvalid(t, err, criachat.ECONFLICT, "Attribute key has already been taken", "attribute_key")
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteCustomAttributeDefinition(ctx, f.b.ID, plan.ID) }); !criachat.IsNotFound(err) {
			t.Fatalf("delete through another account: %v", err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteCustomAttributeDefinition(ctx, f.a.ID, plan.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().CustomAttributeDefinition(ctx, f.a.ID, plan.ID); !criachat.IsNotFound(err) {
			t.Fatalf("deleted: %v", err)
		}
	})
}
