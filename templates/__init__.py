"""The Jinja templates (email/, web/): data, no code. The wheel ships this folder as the
package ``litwatch.templates`` so an installed litwatch finds them (``litwatch.templating``)."""
