package criachat

import (
	"reflect"
	"testing"
	"time"
)

// shared reports the first map, slice or pointer reachable from a that b
// reaches at the same place (a path), or "" when a and b share none.
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Map:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		for _, k := range a.MapKeys() {
			if p := shared(a.MapIndex(k), b.MapIndex(k), path+"["+k.String()+"]"); p != "" {
				return p
			}
		}
	case reflect.Slice:
		if a.Len() > 0 && b.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := 0; i < a.Len() && i < b.Len(); i++ {
			if p := shared(a.Index(i), b.Index(i), path+"[]"); p != "" {
				return p
			}
		}
	case reflect.Struct:
		if a.Type() == reflect.TypeFor[time.Time]() {
			return ""
		}
		for i := range a.NumField() {
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}

// TestCloneSharesNothing fills every map and pointer field (nested JSON
// included) and checks that the clones are equal and share none of them,
// so a field added later without a copy in Clone fails here.
func TestCloneSharesNothing(t *testing.T) {
	now := time.Now()
	id := int64(7)
	nested := func() map[string]any {
		return map[string]any{"a": map[string]any{"b": []any{map[string]any{"c": 1.0}, "x"}}, "n": nil}
	}
	acct := &Account{ID: 1, Name: "A", Features: map[string]bool{"x": true}, Settings: nested(), CustomAttributes: nested(), Limits: nested()}
	for name, pair := range map[string][2]any{
		"AccessToken": {&AccessToken{ID: 1, Hash: "h"}, nil},
		"User":        {&User{ID: 1, UISettings: nested(), CustomAttributes: nested(), ConfirmedAt: &now}, nil},
		"Account":     {acct, nil},
		"AccountUser": {&AccountUser{ID: 1, InviterID: &id, ActiveAt: &now, Account: acct}, nil},
	} {
		orig := pair[0]
		clone := reflect.ValueOf(orig).MethodByName("Clone").Call(nil)[0].Interface()
		if !reflect.DeepEqual(orig, clone) {
			t.Errorf("%s: clone differs: %+v", name, clone)
		}
		// Every field of the type must be set, so that the check covers it.
		v := reflect.ValueOf(orig).Elem()
		for i := range v.NumField() {
			if k := v.Field(i).Kind(); (k == reflect.Map || k == reflect.Pointer || k == reflect.Slice) && v.Field(i).IsNil() {
				t.Errorf("%s.%s is not set in the test", name, v.Type().Field(i).Name)
			}
		}
		if p := shared(reflect.ValueOf(orig), reflect.ValueOf(clone), name); p != "" {
			t.Errorf("clone shares %s with the original", p)
		}
	}
	if CloneJSONMap(nil) != nil {
		t.Error("CloneJSONMap(nil) is not nil")
	}
}
