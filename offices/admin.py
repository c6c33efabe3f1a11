"""The admin of offices and of who works where.

Permissions here come from office membership and HQ, not from Django's model
permissions: the demo clerks have none, and a clerk's rights follow their
offices. Offices are visible to every clerk (the network is public) and edited
by HQ only; managers manage the memberships of the offices they manage.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model

from offices import access, admin_accounts  # noqa: F401  (admin_accounts registers the user admin)
from offices.admin_mixins import ADDRESS_FIELDS, OfferedFiltersOnlyMixin, RaiseNotFoundMixin, StaffReadsHQEditsMixin
from offices.models import Membership, Office
from offices.services import clerk_upsert, membership_remove, office_set_holding_days, office_upsert, validate_account
from shipments.rules import PHONE_INVALID, phone_e164

OFFICE_FIELDS = [
    "code", "name", "exchange_code", "phone", "email", "time_zone", "opening_hours", "is_active", "holding_days"
]  # fmt: skip


class OfficeForm(forms.ModelForm):
    """An office with its address on one page; saved through ``office_upsert``."""

    line1 = forms.CharField(label="Street address", max_length=200)
    line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(max_length=100)
    region = forms.CharField(label="State / region", max_length=100, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    country = forms.RegexField(
        regex=r"^[A-Z]{2}$", initial="US", help_text="Two-letter ISO code, e.g. US.", max_length=2
    )
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180)

    class Meta:
        model = Office
        fields = OFFICE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holding_days"].required = False  # left out: the office keeps its period (14 days when new)
        if self.instance.pk:
            for field in ADDRESS_FIELDS:
                self.fields[field].initial = getattr(self.instance.location, field)

    def clean_phone(self):
        # The rule of every phone the network stores (shipments.rules.phone_e164), read in the office's country.
        phone = phone_e164(self.cleaned_data["phone"], self.data.get("country", ""))
        if phone is None:
            raise forms.ValidationError(PHONE_INVALID)
        return phone

    def clean_exchange_code(self):
        # Blank is "none yet" (NULL: several offices may lack one), typed in any case.
        return (self.cleaned_data.get("exchange_code") or "").strip().upper() or None

    def clean_time_zone(self):
        from zoneinfo import available_timezones

        value = self.cleaned_data["time_zone"]
        if value not in available_timezones():
            raise forms.ValidationError("Use a time zone name such as America/New_York.")
        return value


@admin.register(Office)
class OfficeAdmin(OfferedFiltersOnlyMixin, StaffReadsHQEditsMixin, RaiseNotFoundMixin, admin.ModelAdmin):
    form = OfficeForm
    list_display = ("code", "name", "exchange_code", "city", "phone", "email", "time_zone", "is_active")
    list_display_links = ("code", "name")
    list_filter = ("is_active",)
    list_select_related = ("location",)
    search_fields = ("code", "name", "exchange_code", "location__city")
    search_help_text = "Office code, exchange code, name or city."
    show_facets = admin.ShowFacets.NEVER
    fieldsets = [(None, {"fields": list(OFFICE_FIELDS)}), ("Address", {"fields": list(ADDRESS_FIELDS)})]

    @admin.display(description="City", ordering="location__city")
    def city(self, office):
        return office.location.city

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("location")

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            # Office pickers of the package forms: a clerk registers and scans
            # only at their own offices, and sends to any open office.
            if request.GET.get("field_name") in ("origin_office", "current_office", "office"):
                queryset = queryset.filter(pk__in=access.offices_to_act_at(request.user).values("pk"))
            queryset = queryset.filter(is_active=True)
        return queryset, may_have_duplicates

    def has_change_permission(self, request, obj=None):
        # HQ edits offices; an office's manager sets its holding period (and nothing else).
        return super().has_change_permission(request, obj) or (obj is not None and access.may_manage(request.user, obj))

    def get_readonly_fields(self, request, obj=None):
        if not access.is_hq(request.user):
            managed = obj is not None and access.may_manage(request.user, obj)
            kept = [field for field in OFFICE_FIELDS if not (managed and field == "holding_days")]
            return [*kept, *ADDRESS_FIELDS, "address"]
        # The code is the office's natural key (on labels, in imports): it never changes.
        return ["code"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if not access.is_hq(request.user):
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if not access.is_hq(request.user):
            fields = [
                "code",
                "name",
                "exchange_code",
                "phone",
                "email",
                "time_zone",
                "opening_hours",
                "is_active",
                "holding_days",
                "address",
            ]
            return [(None, {"fields": fields})]
        return self.fieldsets

    @admin.display(description="Address")
    def address(self, office):
        return str(office.location)

    def has_delete_permission(self, request, obj=None):
        # Packages keep pointing at their offices forever: close an office
        # (untick "active") instead of deleting it.
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not access.is_hq(request.user):
            office_set_holding_days(actor=request.user, office=obj, days=data["holding_days"])
            return
        office, _created, _changed = office_upsert(
            actor=request.user,
            code=obj.code,
            name=data["name"],
            address={field: data[field] for field in ADDRESS_FIELDS},
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            time_zone=data["time_zone"],
            is_active=data["is_active"],
            opening_hours=data.get("opening_hours", ""),
            exchange_code=data.get("exchange_code") or "",
            holding_days=data.get("holding_days"),
        )
        obj.pk, obj.location = office.pk, office.location
        obj._state.adding = False


class MembershipAddForm(forms.ModelForm):
    """A manager adds a clerk to their office by user name (a new user is created)."""

    username = forms.CharField(
        max_length=150,
        help_text="A new user name creates a staff user; an existing one adds that person to the office.",
    )
    email = forms.EmailField(required=False, help_text="For a new user only: an existing account is HQ's to change.")
    password = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        help_text="For a new user only. Leave empty if they sign in through the company login (Cognito).",
    )

    class Meta:
        model = Membership
        fields = ["office", "role"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if request is not None and not access.is_hq(request.user):
            self.fields["office"].queryset = Office.objects.filter(pk__in=access.office_ids_managed(request.user))

    def clean(self):
        cleaned = super().clean()
        username = cleaned.get("username", "").strip()
        email, password = cleaned.get("email") or None, cleaned.get("password") or None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            self._add_errors(validate_account, username=username, email=email, password=password)
            return cleaned
        if not access.may_add_to_office(self.request.user, user):
            self.add_error("username", f"{username} is an HQ account: only HQ gives it a place at an office.")
        if not access.may_edit_account(self.request.user, user):
            # Adding someone to an office never changes their account (clerk_upsert).
            if password:
                self.add_error("password", "This user already exists; only HQ can change their password.")
            if email:
                self.add_error("email", "This user already exists; only HQ can change their email. Leave it empty.")
        elif password:
            self._add_errors(validate_account, username=username, password=password, user=user)
        if cleaned.get("office") and Membership.objects.filter(user=user, office=cleaned["office"]).exists():
            self.add_error("username", f"{username} already works at {cleaned['office'].code}.")
        return cleaned

    def _add_errors(self, check, **values):
        try:
            check(**values)
        except forms.ValidationError as error:
            self.add_error(None, error)

    def _post_clean(self):
        # The user is created by the service on save, not by the form.
        pass


@admin.register(Membership)
class MembershipAdmin(OfferedFiltersOnlyMixin, RaiseNotFoundMixin, admin.ModelAdmin):
    list_display = ("user", "email", "office", "role")
    list_filter = ("role", "office")
    list_select_related = ("user", "office")
    search_fields = ("user__username", "user__email", "office__code")
    search_help_text = "User name, email or office code."
    show_facets = admin.ShowFacets.NEVER
    ordering = ("office__code", "user__username")

    @admin.display(description="Email", ordering="user__email")
    def email(self, membership):
        return membership.user.email

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user", "office")
        if access.is_hq(request.user):
            return queryset
        return queryset.filter(office_id__in=access.office_ids_managed(request.user))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MembershipAddForm
            kwargs["fields"] = ["username", "email", "password", "office", "role"]
            form = super().get_form(request, obj, change, **kwargs)

            class RequestForm(form):
                def __init__(self, *args, **form_kwargs):
                    super().__init__(*args, request=request, **form_kwargs)

            return RequestForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", "email", "password", "office", "role"]
        return ["user", "office", "role"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "office"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "office" and not access.is_hq(request.user):
            kwargs["queryset"] = Office.objects.filter(pk__in=access.office_ids_managed(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return access.is_hq(request.user) or access.is_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_add_permission(self, request):
        return access.is_hq(request.user) or access.is_manager(request.user)

    def has_change_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.user_id == request.user.pk and not access.is_hq(request.user):
            return False  # a manager cannot lock themselves out of their own office
        return self._manages(request, obj)

    def delete_model(self, request, obj):
        membership_remove(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("office"):
            membership_remove(actor=request.user, membership=membership)

    def _manages(self, request, obj):
        if access.is_hq(request.user):
            return True
        if not access.is_manager(request.user):
            return False
        return obj is None or obj.office_id in access.office_ids_managed(request.user)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            user, office = obj.user, obj.office
            username, email, password = user.username, None, None
        else:
            username, office = data["username"].strip(), data["office"]
            email, password = (data.get("email") or None), (data.get("password") or None)
        user, created, _changed = clerk_upsert(
            actor=request.user, username=username, office=office, role=data["role"], email=email, password=password
        )
        membership = Membership.objects.get(user=user, office=office)
        obj.pk, obj.user, obj.office, obj.role = membership.pk, user, office, membership.role
        obj._state.adding = False
        if created and not password:
            messages.info(request, f"{username} signs in through the company login: no password was set.")
        if not user.is_staff:
            messages.warning(
                request, f"Added, but {username} uses the API only: HQ decides who may use the back-office."
            )
