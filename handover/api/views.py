"""The handover's API: a package's proof (staff who may see the package), and
presigned uploads of a delivery photo."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from api.schema import error_responses
from offices import access
from shipments.api.views import TRACKING_NUMBER
from shipments.selectors import package_get_visible

from .. import files
from ..rules import READY_FOR_HANDOVER
from ..selectors import package_proof, proof_links
from ..services import not_ready
from . import serializers as api


@extend_schema(
    tags=["packages"],
    parameters=[TRACKING_NUMBER],
    responses={200: api.ProofSerializer, **error_responses(400, 401, 403, 404, 429)},
)
class PackageProofView(APIView):
    """The proof of the package's delivery: who took it, as what, when, and links
    to the signature and photo that work for five minutes."""

    def get(self, request, tracking_number):
        package = package_get_visible(request.user, tracking_number)
        proof = package_proof(package)
        if proof is None:
            raise NotFound(f"{package.tracking_number} has no proof of delivery.")
        return Response(api.ProofSerializer(proof, context={"links": proof_links(proof)}).data)


@extend_schema(
    tags=["packages"],
    parameters=[TRACKING_NUMBER],
    request=api.ProofUploadRequestSerializer,
    responses={201: api.ProofUploadSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class PackageProofUploadView(APIView):
    """A presigned POST for one delivery photo (JPEG or PNG, at most 10 MB),
    straight to the media bucket, under a key the server chose for this package."""

    def post(self, request, tracking_number):
        package = package_get_visible(request.user, tracking_number)
        office = package.current_office
        if office is None or not access.may_act_at(request.user, office):
            raise PermissionDenied("Photos are taken by the people of the office holding the parcel.")
        if package.status not in READY_FOR_HANDOVER:
            raise not_ready(package)
        serializer = api.ProofUploadRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = files.presigned_post(package.tracking_number, serializer.validated_data["content_type"])
        return Response(api.ProofUploadSerializer(post).data, status=status.HTTP_201_CREATED)
