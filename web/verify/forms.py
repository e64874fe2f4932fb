from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.identity import verification_code_normalised


class VerificationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=64,
        help_text=_("The 20 letters and digits printed in the report, e.g. 7K2M-9QXD-4HTB-E3WA-R8NC."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        code = verification_code_normalised(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("A verification code has 20 letters and digits. Please check what you typed."), code="malformed"
            )
        return code
