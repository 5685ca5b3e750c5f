package criachat

import "maps"

// Clone returns a copy of t.
func (t *AccessToken) Clone() *AccessToken {
	c := *t
	return &c
}

// Clone returns a copy of u that shares nothing mutable with it.
func (u *User) Clone() *User {
	c := *u
	c.UISettings = CloneJSONMap(u.UISettings)
	c.CustomAttributes = CloneJSONMap(u.CustomAttributes)
	c.ConfirmedAt = clonePtr(u.ConfirmedAt)
	return &c
}

// Clone returns a copy of a that shares nothing mutable with it.
func (a *Account) Clone() *Account {
	c := *a
	c.Features = maps.Clone(a.Features)
	c.Settings = CloneJSONMap(a.Settings)
	c.CustomAttributes = CloneJSONMap(a.CustomAttributes)
	c.Limits = CloneJSONMap(a.Limits)
	return &c
}

// Clone returns a copy of m, with a copy of its Account, that shares
// nothing mutable with it.
func (m *AccountUser) Clone() *AccountUser {
	c := *m
	c.InviterID = clonePtr(m.InviterID)
	c.ActiveAt = clonePtr(m.ActiveAt)
	if m.Account != nil {
		c.Account = m.Account.Clone()
	}
	return &c
}

// CloneJSONMap deeply copies a map decoded from JSON: nested maps and
// slices are copied, scalars shared.
func CloneJSONMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = cloneJSON(v)
	}
	return c
}

func cloneJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return CloneJSONMap(v)
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = cloneJSON(e)
		}
		return c
	}
	return v
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
