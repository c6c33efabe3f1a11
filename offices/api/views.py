"""Offices for staff: the network is public knowledge inside the company, so
every signed-in clerk sees every office (offices.access.offices_to_view)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from api.pagination import OfficeCodeCursorPagination
from api.schema import error_responses
from offices import access

from .serializers import OfficeSerializer


@extend_schema(tags=["offices"], responses={200: OfficeSerializer(many=True), **error_responses(400, 401, 403, 429)})
class OfficeListView(generics.ListAPIView):
    """Offices of the network with their address and coordinates, by code."""

    serializer_class = OfficeSerializer
    pagination_class = OfficeCodeCursorPagination

    def get_queryset(self):
        return access.offices_to_view(self.request.user).order_by("code")


@extend_schema(tags=["offices"], responses={200: OfficeSerializer, **error_responses(401, 403, 404, 429)})
class OfficeDetailView(generics.RetrieveAPIView):
    """One office by its code, e.g. NYC01."""

    serializer_class = OfficeSerializer

    def get_object(self):
        office = access.offices_to_view(self.request.user).filter(code=self.kwargs["code"].upper()).first()
        if office is None:
            raise Http404
        return office
