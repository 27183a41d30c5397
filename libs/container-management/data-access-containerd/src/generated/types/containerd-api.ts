import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ContainerCreate as _containerd_events_ContainerCreate, ContainerCreate__Output as _containerd_events_ContainerCreate__Output } from './containerd/events/ContainerCreate';
import type { ContainerDelete as _containerd_events_ContainerDelete, ContainerDelete__Output as _containerd_events_ContainerDelete__Output } from './containerd/events/ContainerDelete';
import type { ContainerUpdate as _containerd_events_ContainerUpdate, ContainerUpdate__Output as _containerd_events_ContainerUpdate__Output } from './containerd/events/ContainerUpdate';
import type { TaskCheckpointed as _containerd_events_TaskCheckpointed, TaskCheckpointed__Output as _containerd_events_TaskCheckpointed__Output } from './containerd/events/TaskCheckpointed';
import type { TaskCreate as _containerd_events_TaskCreate, TaskCreate__Output as _containerd_events_TaskCreate__Output } from './containerd/events/TaskCreate';
import type { TaskDelete as _containerd_events_TaskDelete, TaskDelete__Output as _containerd_events_TaskDelete__Output } from './containerd/events/TaskDelete';
import type { TaskExecAdded as _containerd_events_TaskExecAdded, TaskExecAdded__Output as _containerd_events_TaskExecAdded__Output } from './containerd/events/TaskExecAdded';
import type { TaskExecStarted as _containerd_events_TaskExecStarted, TaskExecStarted__Output as _containerd_events_TaskExecStarted__Output } from './containerd/events/TaskExecStarted';
import type { TaskExit as _containerd_events_TaskExit, TaskExit__Output as _containerd_events_TaskExit__Output } from './containerd/events/TaskExit';
import type { TaskIO as _containerd_events_TaskIO, TaskIO__Output as _containerd_events_TaskIO__Output } from './containerd/events/TaskIO';
import type { TaskOOM as _containerd_events_TaskOOM, TaskOOM__Output as _containerd_events_TaskOOM__Output } from './containerd/events/TaskOOM';
import type { TaskPaused as _containerd_events_TaskPaused, TaskPaused__Output as _containerd_events_TaskPaused__Output } from './containerd/events/TaskPaused';
import type { TaskResumed as _containerd_events_TaskResumed, TaskResumed__Output as _containerd_events_TaskResumed__Output } from './containerd/events/TaskResumed';
import type { TaskStart as _containerd_events_TaskStart, TaskStart__Output as _containerd_events_TaskStart__Output } from './containerd/events/TaskStart';
import type { Container as _containerd_services_containers_v1_Container, Container__Output as _containerd_services_containers_v1_Container__Output } from './containerd/services/containers/v1/Container';
import type { ContainersClient as _containerd_services_containers_v1_ContainersClient, ContainersDefinition as _containerd_services_containers_v1_ContainersDefinition } from './containerd/services/containers/v1/Containers';
import type { CreateContainerRequest as _containerd_services_containers_v1_CreateContainerRequest, CreateContainerRequest__Output as _containerd_services_containers_v1_CreateContainerRequest__Output } from './containerd/services/containers/v1/CreateContainerRequest';
import type { CreateContainerResponse as _containerd_services_containers_v1_CreateContainerResponse, CreateContainerResponse__Output as _containerd_services_containers_v1_CreateContainerResponse__Output } from './containerd/services/containers/v1/CreateContainerResponse';
import type { DeleteContainerRequest as _containerd_services_containers_v1_DeleteContainerRequest, DeleteContainerRequest__Output as _containerd_services_containers_v1_DeleteContainerRequest__Output } from './containerd/services/containers/v1/DeleteContainerRequest';
import type { GetContainerRequest as _containerd_services_containers_v1_GetContainerRequest, GetContainerRequest__Output as _containerd_services_containers_v1_GetContainerRequest__Output } from './containerd/services/containers/v1/GetContainerRequest';
import type { GetContainerResponse as _containerd_services_containers_v1_GetContainerResponse, GetContainerResponse__Output as _containerd_services_containers_v1_GetContainerResponse__Output } from './containerd/services/containers/v1/GetContainerResponse';
import type { ListContainerMessage as _containerd_services_containers_v1_ListContainerMessage, ListContainerMessage__Output as _containerd_services_containers_v1_ListContainerMessage__Output } from './containerd/services/containers/v1/ListContainerMessage';
import type { ListContainersRequest as _containerd_services_containers_v1_ListContainersRequest, ListContainersRequest__Output as _containerd_services_containers_v1_ListContainersRequest__Output } from './containerd/services/containers/v1/ListContainersRequest';
import type { ListContainersResponse as _containerd_services_containers_v1_ListContainersResponse, ListContainersResponse__Output as _containerd_services_containers_v1_ListContainersResponse__Output } from './containerd/services/containers/v1/ListContainersResponse';
import type { UpdateContainerRequest as _containerd_services_containers_v1_UpdateContainerRequest, UpdateContainerRequest__Output as _containerd_services_containers_v1_UpdateContainerRequest__Output } from './containerd/services/containers/v1/UpdateContainerRequest';
import type { UpdateContainerResponse as _containerd_services_containers_v1_UpdateContainerResponse, UpdateContainerResponse__Output as _containerd_services_containers_v1_UpdateContainerResponse__Output } from './containerd/services/containers/v1/UpdateContainerResponse';
import type { AbortRequest as _containerd_services_content_v1_AbortRequest, AbortRequest__Output as _containerd_services_content_v1_AbortRequest__Output } from './containerd/services/content/v1/AbortRequest';
import type { ContentClient as _containerd_services_content_v1_ContentClient, ContentDefinition as _containerd_services_content_v1_ContentDefinition } from './containerd/services/content/v1/Content';
import type { DeleteContentRequest as _containerd_services_content_v1_DeleteContentRequest, DeleteContentRequest__Output as _containerd_services_content_v1_DeleteContentRequest__Output } from './containerd/services/content/v1/DeleteContentRequest';
import type { Info as _containerd_services_content_v1_Info, Info__Output as _containerd_services_content_v1_Info__Output } from './containerd/services/content/v1/Info';
import type { InfoRequest as _containerd_services_content_v1_InfoRequest, InfoRequest__Output as _containerd_services_content_v1_InfoRequest__Output } from './containerd/services/content/v1/InfoRequest';
import type { InfoResponse as _containerd_services_content_v1_InfoResponse, InfoResponse__Output as _containerd_services_content_v1_InfoResponse__Output } from './containerd/services/content/v1/InfoResponse';
import type { ListContentRequest as _containerd_services_content_v1_ListContentRequest, ListContentRequest__Output as _containerd_services_content_v1_ListContentRequest__Output } from './containerd/services/content/v1/ListContentRequest';
import type { ListContentResponse as _containerd_services_content_v1_ListContentResponse, ListContentResponse__Output as _containerd_services_content_v1_ListContentResponse__Output } from './containerd/services/content/v1/ListContentResponse';
import type { ListStatusesRequest as _containerd_services_content_v1_ListStatusesRequest, ListStatusesRequest__Output as _containerd_services_content_v1_ListStatusesRequest__Output } from './containerd/services/content/v1/ListStatusesRequest';
import type { ListStatusesResponse as _containerd_services_content_v1_ListStatusesResponse, ListStatusesResponse__Output as _containerd_services_content_v1_ListStatusesResponse__Output } from './containerd/services/content/v1/ListStatusesResponse';
import type { ReadContentRequest as _containerd_services_content_v1_ReadContentRequest, ReadContentRequest__Output as _containerd_services_content_v1_ReadContentRequest__Output } from './containerd/services/content/v1/ReadContentRequest';
import type { ReadContentResponse as _containerd_services_content_v1_ReadContentResponse, ReadContentResponse__Output as _containerd_services_content_v1_ReadContentResponse__Output } from './containerd/services/content/v1/ReadContentResponse';
import type { Status as _containerd_services_content_v1_Status, Status__Output as _containerd_services_content_v1_Status__Output } from './containerd/services/content/v1/Status';
import type { StatusRequest as _containerd_services_content_v1_StatusRequest, StatusRequest__Output as _containerd_services_content_v1_StatusRequest__Output } from './containerd/services/content/v1/StatusRequest';
import type { StatusResponse as _containerd_services_content_v1_StatusResponse, StatusResponse__Output as _containerd_services_content_v1_StatusResponse__Output } from './containerd/services/content/v1/StatusResponse';
import type { UpdateRequest as _containerd_services_content_v1_UpdateRequest, UpdateRequest__Output as _containerd_services_content_v1_UpdateRequest__Output } from './containerd/services/content/v1/UpdateRequest';
import type { UpdateResponse as _containerd_services_content_v1_UpdateResponse, UpdateResponse__Output as _containerd_services_content_v1_UpdateResponse__Output } from './containerd/services/content/v1/UpdateResponse';
import type { WriteContentRequest as _containerd_services_content_v1_WriteContentRequest, WriteContentRequest__Output as _containerd_services_content_v1_WriteContentRequest__Output } from './containerd/services/content/v1/WriteContentRequest';
import type { WriteContentResponse as _containerd_services_content_v1_WriteContentResponse, WriteContentResponse__Output as _containerd_services_content_v1_WriteContentResponse__Output } from './containerd/services/content/v1/WriteContentResponse';
import type { ApplyRequest as _containerd_services_diff_v1_ApplyRequest, ApplyRequest__Output as _containerd_services_diff_v1_ApplyRequest__Output } from './containerd/services/diff/v1/ApplyRequest';
import type { ApplyResponse as _containerd_services_diff_v1_ApplyResponse, ApplyResponse__Output as _containerd_services_diff_v1_ApplyResponse__Output } from './containerd/services/diff/v1/ApplyResponse';
import type { DiffClient as _containerd_services_diff_v1_DiffClient, DiffDefinition as _containerd_services_diff_v1_DiffDefinition } from './containerd/services/diff/v1/Diff';
import type { DiffRequest as _containerd_services_diff_v1_DiffRequest, DiffRequest__Output as _containerd_services_diff_v1_DiffRequest__Output } from './containerd/services/diff/v1/DiffRequest';
import type { DiffResponse as _containerd_services_diff_v1_DiffResponse, DiffResponse__Output as _containerd_services_diff_v1_DiffResponse__Output } from './containerd/services/diff/v1/DiffResponse';
import type { Envelope as _containerd_services_events_v1_Envelope, Envelope__Output as _containerd_services_events_v1_Envelope__Output } from './containerd/services/events/v1/Envelope';
import type { EventsClient as _containerd_services_events_v1_EventsClient, EventsDefinition as _containerd_services_events_v1_EventsDefinition } from './containerd/services/events/v1/Events';
import type { ForwardRequest as _containerd_services_events_v1_ForwardRequest, ForwardRequest__Output as _containerd_services_events_v1_ForwardRequest__Output } from './containerd/services/events/v1/ForwardRequest';
import type { PublishRequest as _containerd_services_events_v1_PublishRequest, PublishRequest__Output as _containerd_services_events_v1_PublishRequest__Output } from './containerd/services/events/v1/PublishRequest';
import type { SubscribeRequest as _containerd_services_events_v1_SubscribeRequest, SubscribeRequest__Output as _containerd_services_events_v1_SubscribeRequest__Output } from './containerd/services/events/v1/SubscribeRequest';
import type { CreateImageRequest as _containerd_services_images_v1_CreateImageRequest, CreateImageRequest__Output as _containerd_services_images_v1_CreateImageRequest__Output } from './containerd/services/images/v1/CreateImageRequest';
import type { CreateImageResponse as _containerd_services_images_v1_CreateImageResponse, CreateImageResponse__Output as _containerd_services_images_v1_CreateImageResponse__Output } from './containerd/services/images/v1/CreateImageResponse';
import type { DeleteImageRequest as _containerd_services_images_v1_DeleteImageRequest, DeleteImageRequest__Output as _containerd_services_images_v1_DeleteImageRequest__Output } from './containerd/services/images/v1/DeleteImageRequest';
import type { GetImageRequest as _containerd_services_images_v1_GetImageRequest, GetImageRequest__Output as _containerd_services_images_v1_GetImageRequest__Output } from './containerd/services/images/v1/GetImageRequest';
import type { GetImageResponse as _containerd_services_images_v1_GetImageResponse, GetImageResponse__Output as _containerd_services_images_v1_GetImageResponse__Output } from './containerd/services/images/v1/GetImageResponse';
import type { Image as _containerd_services_images_v1_Image, Image__Output as _containerd_services_images_v1_Image__Output } from './containerd/services/images/v1/Image';
import type { ImagesClient as _containerd_services_images_v1_ImagesClient, ImagesDefinition as _containerd_services_images_v1_ImagesDefinition } from './containerd/services/images/v1/Images';
import type { ListImagesRequest as _containerd_services_images_v1_ListImagesRequest, ListImagesRequest__Output as _containerd_services_images_v1_ListImagesRequest__Output } from './containerd/services/images/v1/ListImagesRequest';
import type { ListImagesResponse as _containerd_services_images_v1_ListImagesResponse, ListImagesResponse__Output as _containerd_services_images_v1_ListImagesResponse__Output } from './containerd/services/images/v1/ListImagesResponse';
import type { UpdateImageRequest as _containerd_services_images_v1_UpdateImageRequest, UpdateImageRequest__Output as _containerd_services_images_v1_UpdateImageRequest__Output } from './containerd/services/images/v1/UpdateImageRequest';
import type { UpdateImageResponse as _containerd_services_images_v1_UpdateImageResponse, UpdateImageResponse__Output as _containerd_services_images_v1_UpdateImageResponse__Output } from './containerd/services/images/v1/UpdateImageResponse';
import type { AddResourceRequest as _containerd_services_leases_v1_AddResourceRequest, AddResourceRequest__Output as _containerd_services_leases_v1_AddResourceRequest__Output } from './containerd/services/leases/v1/AddResourceRequest';
import type { CreateRequest as _containerd_services_leases_v1_CreateRequest, CreateRequest__Output as _containerd_services_leases_v1_CreateRequest__Output } from './containerd/services/leases/v1/CreateRequest';
import type { CreateResponse as _containerd_services_leases_v1_CreateResponse, CreateResponse__Output as _containerd_services_leases_v1_CreateResponse__Output } from './containerd/services/leases/v1/CreateResponse';
import type { DeleteRequest as _containerd_services_leases_v1_DeleteRequest, DeleteRequest__Output as _containerd_services_leases_v1_DeleteRequest__Output } from './containerd/services/leases/v1/DeleteRequest';
import type { DeleteResourceRequest as _containerd_services_leases_v1_DeleteResourceRequest, DeleteResourceRequest__Output as _containerd_services_leases_v1_DeleteResourceRequest__Output } from './containerd/services/leases/v1/DeleteResourceRequest';
import type { Lease as _containerd_services_leases_v1_Lease, Lease__Output as _containerd_services_leases_v1_Lease__Output } from './containerd/services/leases/v1/Lease';
import type { LeasesClient as _containerd_services_leases_v1_LeasesClient, LeasesDefinition as _containerd_services_leases_v1_LeasesDefinition } from './containerd/services/leases/v1/Leases';
import type { ListRequest as _containerd_services_leases_v1_ListRequest, ListRequest__Output as _containerd_services_leases_v1_ListRequest__Output } from './containerd/services/leases/v1/ListRequest';
import type { ListResourcesRequest as _containerd_services_leases_v1_ListResourcesRequest, ListResourcesRequest__Output as _containerd_services_leases_v1_ListResourcesRequest__Output } from './containerd/services/leases/v1/ListResourcesRequest';
import type { ListResourcesResponse as _containerd_services_leases_v1_ListResourcesResponse, ListResourcesResponse__Output as _containerd_services_leases_v1_ListResourcesResponse__Output } from './containerd/services/leases/v1/ListResourcesResponse';
import type { ListResponse as _containerd_services_leases_v1_ListResponse, ListResponse__Output as _containerd_services_leases_v1_ListResponse__Output } from './containerd/services/leases/v1/ListResponse';
import type { Resource as _containerd_services_leases_v1_Resource, Resource__Output as _containerd_services_leases_v1_Resource__Output } from './containerd/services/leases/v1/Resource';
import type { CreateNamespaceRequest as _containerd_services_namespaces_v1_CreateNamespaceRequest, CreateNamespaceRequest__Output as _containerd_services_namespaces_v1_CreateNamespaceRequest__Output } from './containerd/services/namespaces/v1/CreateNamespaceRequest';
import type { CreateNamespaceResponse as _containerd_services_namespaces_v1_CreateNamespaceResponse, CreateNamespaceResponse__Output as _containerd_services_namespaces_v1_CreateNamespaceResponse__Output } from './containerd/services/namespaces/v1/CreateNamespaceResponse';
import type { DeleteNamespaceRequest as _containerd_services_namespaces_v1_DeleteNamespaceRequest, DeleteNamespaceRequest__Output as _containerd_services_namespaces_v1_DeleteNamespaceRequest__Output } from './containerd/services/namespaces/v1/DeleteNamespaceRequest';
import type { GetNamespaceRequest as _containerd_services_namespaces_v1_GetNamespaceRequest, GetNamespaceRequest__Output as _containerd_services_namespaces_v1_GetNamespaceRequest__Output } from './containerd/services/namespaces/v1/GetNamespaceRequest';
import type { GetNamespaceResponse as _containerd_services_namespaces_v1_GetNamespaceResponse, GetNamespaceResponse__Output as _containerd_services_namespaces_v1_GetNamespaceResponse__Output } from './containerd/services/namespaces/v1/GetNamespaceResponse';
import type { ListNamespacesRequest as _containerd_services_namespaces_v1_ListNamespacesRequest, ListNamespacesRequest__Output as _containerd_services_namespaces_v1_ListNamespacesRequest__Output } from './containerd/services/namespaces/v1/ListNamespacesRequest';
import type { ListNamespacesResponse as _containerd_services_namespaces_v1_ListNamespacesResponse, ListNamespacesResponse__Output as _containerd_services_namespaces_v1_ListNamespacesResponse__Output } from './containerd/services/namespaces/v1/ListNamespacesResponse';
import type { Namespace as _containerd_services_namespaces_v1_Namespace, Namespace__Output as _containerd_services_namespaces_v1_Namespace__Output } from './containerd/services/namespaces/v1/Namespace';
import type { NamespacesClient as _containerd_services_namespaces_v1_NamespacesClient, NamespacesDefinition as _containerd_services_namespaces_v1_NamespacesDefinition } from './containerd/services/namespaces/v1/Namespaces';
import type { UpdateNamespaceRequest as _containerd_services_namespaces_v1_UpdateNamespaceRequest, UpdateNamespaceRequest__Output as _containerd_services_namespaces_v1_UpdateNamespaceRequest__Output } from './containerd/services/namespaces/v1/UpdateNamespaceRequest';
import type { UpdateNamespaceResponse as _containerd_services_namespaces_v1_UpdateNamespaceResponse, UpdateNamespaceResponse__Output as _containerd_services_namespaces_v1_UpdateNamespaceResponse__Output } from './containerd/services/namespaces/v1/UpdateNamespaceResponse';
import type { CleanupRequest as _containerd_services_snapshots_v1_CleanupRequest, CleanupRequest__Output as _containerd_services_snapshots_v1_CleanupRequest__Output } from './containerd/services/snapshots/v1/CleanupRequest';
import type { CommitSnapshotRequest as _containerd_services_snapshots_v1_CommitSnapshotRequest, CommitSnapshotRequest__Output as _containerd_services_snapshots_v1_CommitSnapshotRequest__Output } from './containerd/services/snapshots/v1/CommitSnapshotRequest';
import type { Info as _containerd_services_snapshots_v1_Info, Info__Output as _containerd_services_snapshots_v1_Info__Output } from './containerd/services/snapshots/v1/Info';
import type { ListSnapshotsRequest as _containerd_services_snapshots_v1_ListSnapshotsRequest, ListSnapshotsRequest__Output as _containerd_services_snapshots_v1_ListSnapshotsRequest__Output } from './containerd/services/snapshots/v1/ListSnapshotsRequest';
import type { ListSnapshotsResponse as _containerd_services_snapshots_v1_ListSnapshotsResponse, ListSnapshotsResponse__Output as _containerd_services_snapshots_v1_ListSnapshotsResponse__Output } from './containerd/services/snapshots/v1/ListSnapshotsResponse';
import type { MountsRequest as _containerd_services_snapshots_v1_MountsRequest, MountsRequest__Output as _containerd_services_snapshots_v1_MountsRequest__Output } from './containerd/services/snapshots/v1/MountsRequest';
import type { MountsResponse as _containerd_services_snapshots_v1_MountsResponse, MountsResponse__Output as _containerd_services_snapshots_v1_MountsResponse__Output } from './containerd/services/snapshots/v1/MountsResponse';
import type { PrepareSnapshotRequest as _containerd_services_snapshots_v1_PrepareSnapshotRequest, PrepareSnapshotRequest__Output as _containerd_services_snapshots_v1_PrepareSnapshotRequest__Output } from './containerd/services/snapshots/v1/PrepareSnapshotRequest';
import type { PrepareSnapshotResponse as _containerd_services_snapshots_v1_PrepareSnapshotResponse, PrepareSnapshotResponse__Output as _containerd_services_snapshots_v1_PrepareSnapshotResponse__Output } from './containerd/services/snapshots/v1/PrepareSnapshotResponse';
import type { RemoveSnapshotRequest as _containerd_services_snapshots_v1_RemoveSnapshotRequest, RemoveSnapshotRequest__Output as _containerd_services_snapshots_v1_RemoveSnapshotRequest__Output } from './containerd/services/snapshots/v1/RemoveSnapshotRequest';
import type { SnapshotsClient as _containerd_services_snapshots_v1_SnapshotsClient, SnapshotsDefinition as _containerd_services_snapshots_v1_SnapshotsDefinition } from './containerd/services/snapshots/v1/Snapshots';
import type { StatSnapshotRequest as _containerd_services_snapshots_v1_StatSnapshotRequest, StatSnapshotRequest__Output as _containerd_services_snapshots_v1_StatSnapshotRequest__Output } from './containerd/services/snapshots/v1/StatSnapshotRequest';
import type { StatSnapshotResponse as _containerd_services_snapshots_v1_StatSnapshotResponse, StatSnapshotResponse__Output as _containerd_services_snapshots_v1_StatSnapshotResponse__Output } from './containerd/services/snapshots/v1/StatSnapshotResponse';
import type { UpdateSnapshotRequest as _containerd_services_snapshots_v1_UpdateSnapshotRequest, UpdateSnapshotRequest__Output as _containerd_services_snapshots_v1_UpdateSnapshotRequest__Output } from './containerd/services/snapshots/v1/UpdateSnapshotRequest';
import type { UpdateSnapshotResponse as _containerd_services_snapshots_v1_UpdateSnapshotResponse, UpdateSnapshotResponse__Output as _containerd_services_snapshots_v1_UpdateSnapshotResponse__Output } from './containerd/services/snapshots/v1/UpdateSnapshotResponse';
import type { UsageRequest as _containerd_services_snapshots_v1_UsageRequest, UsageRequest__Output as _containerd_services_snapshots_v1_UsageRequest__Output } from './containerd/services/snapshots/v1/UsageRequest';
import type { UsageResponse as _containerd_services_snapshots_v1_UsageResponse, UsageResponse__Output as _containerd_services_snapshots_v1_UsageResponse__Output } from './containerd/services/snapshots/v1/UsageResponse';
import type { ViewSnapshotRequest as _containerd_services_snapshots_v1_ViewSnapshotRequest, ViewSnapshotRequest__Output as _containerd_services_snapshots_v1_ViewSnapshotRequest__Output } from './containerd/services/snapshots/v1/ViewSnapshotRequest';
import type { ViewSnapshotResponse as _containerd_services_snapshots_v1_ViewSnapshotResponse, ViewSnapshotResponse__Output as _containerd_services_snapshots_v1_ViewSnapshotResponse__Output } from './containerd/services/snapshots/v1/ViewSnapshotResponse';
import type { CheckpointTaskRequest as _containerd_services_tasks_v1_CheckpointTaskRequest, CheckpointTaskRequest__Output as _containerd_services_tasks_v1_CheckpointTaskRequest__Output } from './containerd/services/tasks/v1/CheckpointTaskRequest';
import type { CheckpointTaskResponse as _containerd_services_tasks_v1_CheckpointTaskResponse, CheckpointTaskResponse__Output as _containerd_services_tasks_v1_CheckpointTaskResponse__Output } from './containerd/services/tasks/v1/CheckpointTaskResponse';
import type { CloseIORequest as _containerd_services_tasks_v1_CloseIORequest, CloseIORequest__Output as _containerd_services_tasks_v1_CloseIORequest__Output } from './containerd/services/tasks/v1/CloseIORequest';
import type { CreateTaskRequest as _containerd_services_tasks_v1_CreateTaskRequest, CreateTaskRequest__Output as _containerd_services_tasks_v1_CreateTaskRequest__Output } from './containerd/services/tasks/v1/CreateTaskRequest';
import type { CreateTaskResponse as _containerd_services_tasks_v1_CreateTaskResponse, CreateTaskResponse__Output as _containerd_services_tasks_v1_CreateTaskResponse__Output } from './containerd/services/tasks/v1/CreateTaskResponse';
import type { DeleteProcessRequest as _containerd_services_tasks_v1_DeleteProcessRequest, DeleteProcessRequest__Output as _containerd_services_tasks_v1_DeleteProcessRequest__Output } from './containerd/services/tasks/v1/DeleteProcessRequest';
import type { DeleteResponse as _containerd_services_tasks_v1_DeleteResponse, DeleteResponse__Output as _containerd_services_tasks_v1_DeleteResponse__Output } from './containerd/services/tasks/v1/DeleteResponse';
import type { DeleteTaskRequest as _containerd_services_tasks_v1_DeleteTaskRequest, DeleteTaskRequest__Output as _containerd_services_tasks_v1_DeleteTaskRequest__Output } from './containerd/services/tasks/v1/DeleteTaskRequest';
import type { ExecProcessRequest as _containerd_services_tasks_v1_ExecProcessRequest, ExecProcessRequest__Output as _containerd_services_tasks_v1_ExecProcessRequest__Output } from './containerd/services/tasks/v1/ExecProcessRequest';
import type { ExecProcessResponse as _containerd_services_tasks_v1_ExecProcessResponse, ExecProcessResponse__Output as _containerd_services_tasks_v1_ExecProcessResponse__Output } from './containerd/services/tasks/v1/ExecProcessResponse';
import type { GetRequest as _containerd_services_tasks_v1_GetRequest, GetRequest__Output as _containerd_services_tasks_v1_GetRequest__Output } from './containerd/services/tasks/v1/GetRequest';
import type { GetResponse as _containerd_services_tasks_v1_GetResponse, GetResponse__Output as _containerd_services_tasks_v1_GetResponse__Output } from './containerd/services/tasks/v1/GetResponse';
import type { KillRequest as _containerd_services_tasks_v1_KillRequest, KillRequest__Output as _containerd_services_tasks_v1_KillRequest__Output } from './containerd/services/tasks/v1/KillRequest';
import type { ListPidsRequest as _containerd_services_tasks_v1_ListPidsRequest, ListPidsRequest__Output as _containerd_services_tasks_v1_ListPidsRequest__Output } from './containerd/services/tasks/v1/ListPidsRequest';
import type { ListPidsResponse as _containerd_services_tasks_v1_ListPidsResponse, ListPidsResponse__Output as _containerd_services_tasks_v1_ListPidsResponse__Output } from './containerd/services/tasks/v1/ListPidsResponse';
import type { ListTasksRequest as _containerd_services_tasks_v1_ListTasksRequest, ListTasksRequest__Output as _containerd_services_tasks_v1_ListTasksRequest__Output } from './containerd/services/tasks/v1/ListTasksRequest';
import type { ListTasksResponse as _containerd_services_tasks_v1_ListTasksResponse, ListTasksResponse__Output as _containerd_services_tasks_v1_ListTasksResponse__Output } from './containerd/services/tasks/v1/ListTasksResponse';
import type { MetricsRequest as _containerd_services_tasks_v1_MetricsRequest, MetricsRequest__Output as _containerd_services_tasks_v1_MetricsRequest__Output } from './containerd/services/tasks/v1/MetricsRequest';
import type { MetricsResponse as _containerd_services_tasks_v1_MetricsResponse, MetricsResponse__Output as _containerd_services_tasks_v1_MetricsResponse__Output } from './containerd/services/tasks/v1/MetricsResponse';
import type { PauseTaskRequest as _containerd_services_tasks_v1_PauseTaskRequest, PauseTaskRequest__Output as _containerd_services_tasks_v1_PauseTaskRequest__Output } from './containerd/services/tasks/v1/PauseTaskRequest';
import type { ResizePtyRequest as _containerd_services_tasks_v1_ResizePtyRequest, ResizePtyRequest__Output as _containerd_services_tasks_v1_ResizePtyRequest__Output } from './containerd/services/tasks/v1/ResizePtyRequest';
import type { ResumeTaskRequest as _containerd_services_tasks_v1_ResumeTaskRequest, ResumeTaskRequest__Output as _containerd_services_tasks_v1_ResumeTaskRequest__Output } from './containerd/services/tasks/v1/ResumeTaskRequest';
import type { StartRequest as _containerd_services_tasks_v1_StartRequest, StartRequest__Output as _containerd_services_tasks_v1_StartRequest__Output } from './containerd/services/tasks/v1/StartRequest';
import type { StartResponse as _containerd_services_tasks_v1_StartResponse, StartResponse__Output as _containerd_services_tasks_v1_StartResponse__Output } from './containerd/services/tasks/v1/StartResponse';
import type { TasksClient as _containerd_services_tasks_v1_TasksClient, TasksDefinition as _containerd_services_tasks_v1_TasksDefinition } from './containerd/services/tasks/v1/Tasks';
import type { UpdateTaskRequest as _containerd_services_tasks_v1_UpdateTaskRequest, UpdateTaskRequest__Output as _containerd_services_tasks_v1_UpdateTaskRequest__Output } from './containerd/services/tasks/v1/UpdateTaskRequest';
import type { WaitRequest as _containerd_services_tasks_v1_WaitRequest, WaitRequest__Output as _containerd_services_tasks_v1_WaitRequest__Output } from './containerd/services/tasks/v1/WaitRequest';
import type { WaitResponse as _containerd_services_tasks_v1_WaitResponse, WaitResponse__Output as _containerd_services_tasks_v1_WaitResponse__Output } from './containerd/services/tasks/v1/WaitResponse';
import type { VersionClient as _containerd_services_version_v1_VersionClient, VersionDefinition as _containerd_services_version_v1_VersionDefinition } from './containerd/services/version/v1/Version';
import type { VersionResponse as _containerd_services_version_v1_VersionResponse, VersionResponse__Output as _containerd_services_version_v1_VersionResponse__Output } from './containerd/services/version/v1/VersionResponse';
import type { Descriptor as _containerd_types_Descriptor, Descriptor__Output as _containerd_types_Descriptor__Output } from './containerd/types/Descriptor';
import type { Metric as _containerd_types_Metric, Metric__Output as _containerd_types_Metric__Output } from './containerd/types/Metric';
import type { Mount as _containerd_types_Mount, Mount__Output as _containerd_types_Mount__Output } from './containerd/types/Mount';
import type { Process as _containerd_v1_types_Process, Process__Output as _containerd_v1_types_Process__Output } from './containerd/v1/types/Process';
import type { ProcessInfo as _containerd_v1_types_ProcessInfo, ProcessInfo__Output as _containerd_v1_types_ProcessInfo__Output } from './containerd/v1/types/ProcessInfo';
import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from './google/protobuf/Any';
import type { Empty as _google_protobuf_Empty, Empty__Output as _google_protobuf_Empty__Output } from './google/protobuf/Empty';
import type { FieldMask as _google_protobuf_FieldMask, FieldMask__Output as _google_protobuf_FieldMask__Output } from './google/protobuf/FieldMask';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  containerd: {
    events: {
      ContainerCreate: MessageTypeDefinition<_containerd_events_ContainerCreate, _containerd_events_ContainerCreate__Output>
      ContainerDelete: MessageTypeDefinition<_containerd_events_ContainerDelete, _containerd_events_ContainerDelete__Output>
      ContainerUpdate: MessageTypeDefinition<_containerd_events_ContainerUpdate, _containerd_events_ContainerUpdate__Output>
      TaskCheckpointed: MessageTypeDefinition<_containerd_events_TaskCheckpointed, _containerd_events_TaskCheckpointed__Output>
      TaskCreate: MessageTypeDefinition<_containerd_events_TaskCreate, _containerd_events_TaskCreate__Output>
      TaskDelete: MessageTypeDefinition<_containerd_events_TaskDelete, _containerd_events_TaskDelete__Output>
      TaskExecAdded: MessageTypeDefinition<_containerd_events_TaskExecAdded, _containerd_events_TaskExecAdded__Output>
      TaskExecStarted: MessageTypeDefinition<_containerd_events_TaskExecStarted, _containerd_events_TaskExecStarted__Output>
      TaskExit: MessageTypeDefinition<_containerd_events_TaskExit, _containerd_events_TaskExit__Output>
      TaskIO: MessageTypeDefinition<_containerd_events_TaskIO, _containerd_events_TaskIO__Output>
      TaskOOM: MessageTypeDefinition<_containerd_events_TaskOOM, _containerd_events_TaskOOM__Output>
      TaskPaused: MessageTypeDefinition<_containerd_events_TaskPaused, _containerd_events_TaskPaused__Output>
      TaskResumed: MessageTypeDefinition<_containerd_events_TaskResumed, _containerd_events_TaskResumed__Output>
      TaskStart: MessageTypeDefinition<_containerd_events_TaskStart, _containerd_events_TaskStart__Output>
    }
    services: {
      containers: {
        v1: {
          Container: MessageTypeDefinition<_containerd_services_containers_v1_Container, _containerd_services_containers_v1_Container__Output>
          Containers: SubtypeConstructor<typeof grpc.Client, _containerd_services_containers_v1_ContainersClient> & { service: _containerd_services_containers_v1_ContainersDefinition }
          CreateContainerRequest: MessageTypeDefinition<_containerd_services_containers_v1_CreateContainerRequest, _containerd_services_containers_v1_CreateContainerRequest__Output>
          CreateContainerResponse: MessageTypeDefinition<_containerd_services_containers_v1_CreateContainerResponse, _containerd_services_containers_v1_CreateContainerResponse__Output>
          DeleteContainerRequest: MessageTypeDefinition<_containerd_services_containers_v1_DeleteContainerRequest, _containerd_services_containers_v1_DeleteContainerRequest__Output>
          GetContainerRequest: MessageTypeDefinition<_containerd_services_containers_v1_GetContainerRequest, _containerd_services_containers_v1_GetContainerRequest__Output>
          GetContainerResponse: MessageTypeDefinition<_containerd_services_containers_v1_GetContainerResponse, _containerd_services_containers_v1_GetContainerResponse__Output>
          ListContainerMessage: MessageTypeDefinition<_containerd_services_containers_v1_ListContainerMessage, _containerd_services_containers_v1_ListContainerMessage__Output>
          ListContainersRequest: MessageTypeDefinition<_containerd_services_containers_v1_ListContainersRequest, _containerd_services_containers_v1_ListContainersRequest__Output>
          ListContainersResponse: MessageTypeDefinition<_containerd_services_containers_v1_ListContainersResponse, _containerd_services_containers_v1_ListContainersResponse__Output>
          UpdateContainerRequest: MessageTypeDefinition<_containerd_services_containers_v1_UpdateContainerRequest, _containerd_services_containers_v1_UpdateContainerRequest__Output>
          UpdateContainerResponse: MessageTypeDefinition<_containerd_services_containers_v1_UpdateContainerResponse, _containerd_services_containers_v1_UpdateContainerResponse__Output>
        }
      }
      content: {
        v1: {
          AbortRequest: MessageTypeDefinition<_containerd_services_content_v1_AbortRequest, _containerd_services_content_v1_AbortRequest__Output>
          Content: SubtypeConstructor<typeof grpc.Client, _containerd_services_content_v1_ContentClient> & { service: _containerd_services_content_v1_ContentDefinition }
          DeleteContentRequest: MessageTypeDefinition<_containerd_services_content_v1_DeleteContentRequest, _containerd_services_content_v1_DeleteContentRequest__Output>
          Info: MessageTypeDefinition<_containerd_services_content_v1_Info, _containerd_services_content_v1_Info__Output>
          InfoRequest: MessageTypeDefinition<_containerd_services_content_v1_InfoRequest, _containerd_services_content_v1_InfoRequest__Output>
          InfoResponse: MessageTypeDefinition<_containerd_services_content_v1_InfoResponse, _containerd_services_content_v1_InfoResponse__Output>
          ListContentRequest: MessageTypeDefinition<_containerd_services_content_v1_ListContentRequest, _containerd_services_content_v1_ListContentRequest__Output>
          ListContentResponse: MessageTypeDefinition<_containerd_services_content_v1_ListContentResponse, _containerd_services_content_v1_ListContentResponse__Output>
          ListStatusesRequest: MessageTypeDefinition<_containerd_services_content_v1_ListStatusesRequest, _containerd_services_content_v1_ListStatusesRequest__Output>
          ListStatusesResponse: MessageTypeDefinition<_containerd_services_content_v1_ListStatusesResponse, _containerd_services_content_v1_ListStatusesResponse__Output>
          ReadContentRequest: MessageTypeDefinition<_containerd_services_content_v1_ReadContentRequest, _containerd_services_content_v1_ReadContentRequest__Output>
          ReadContentResponse: MessageTypeDefinition<_containerd_services_content_v1_ReadContentResponse, _containerd_services_content_v1_ReadContentResponse__Output>
          Status: MessageTypeDefinition<_containerd_services_content_v1_Status, _containerd_services_content_v1_Status__Output>
          StatusRequest: MessageTypeDefinition<_containerd_services_content_v1_StatusRequest, _containerd_services_content_v1_StatusRequest__Output>
          StatusResponse: MessageTypeDefinition<_containerd_services_content_v1_StatusResponse, _containerd_services_content_v1_StatusResponse__Output>
          UpdateRequest: MessageTypeDefinition<_containerd_services_content_v1_UpdateRequest, _containerd_services_content_v1_UpdateRequest__Output>
          UpdateResponse: MessageTypeDefinition<_containerd_services_content_v1_UpdateResponse, _containerd_services_content_v1_UpdateResponse__Output>
          WriteAction: EnumTypeDefinition
          WriteContentRequest: MessageTypeDefinition<_containerd_services_content_v1_WriteContentRequest, _containerd_services_content_v1_WriteContentRequest__Output>
          WriteContentResponse: MessageTypeDefinition<_containerd_services_content_v1_WriteContentResponse, _containerd_services_content_v1_WriteContentResponse__Output>
        }
      }
      diff: {
        v1: {
          ApplyRequest: MessageTypeDefinition<_containerd_services_diff_v1_ApplyRequest, _containerd_services_diff_v1_ApplyRequest__Output>
          ApplyResponse: MessageTypeDefinition<_containerd_services_diff_v1_ApplyResponse, _containerd_services_diff_v1_ApplyResponse__Output>
          Diff: SubtypeConstructor<typeof grpc.Client, _containerd_services_diff_v1_DiffClient> & { service: _containerd_services_diff_v1_DiffDefinition }
          DiffRequest: MessageTypeDefinition<_containerd_services_diff_v1_DiffRequest, _containerd_services_diff_v1_DiffRequest__Output>
          DiffResponse: MessageTypeDefinition<_containerd_services_diff_v1_DiffResponse, _containerd_services_diff_v1_DiffResponse__Output>
        }
      }
      events: {
        v1: {
          Envelope: MessageTypeDefinition<_containerd_services_events_v1_Envelope, _containerd_services_events_v1_Envelope__Output>
          Events: SubtypeConstructor<typeof grpc.Client, _containerd_services_events_v1_EventsClient> & { service: _containerd_services_events_v1_EventsDefinition }
          ForwardRequest: MessageTypeDefinition<_containerd_services_events_v1_ForwardRequest, _containerd_services_events_v1_ForwardRequest__Output>
          PublishRequest: MessageTypeDefinition<_containerd_services_events_v1_PublishRequest, _containerd_services_events_v1_PublishRequest__Output>
          SubscribeRequest: MessageTypeDefinition<_containerd_services_events_v1_SubscribeRequest, _containerd_services_events_v1_SubscribeRequest__Output>
        }
      }
      images: {
        v1: {
          CreateImageRequest: MessageTypeDefinition<_containerd_services_images_v1_CreateImageRequest, _containerd_services_images_v1_CreateImageRequest__Output>
          CreateImageResponse: MessageTypeDefinition<_containerd_services_images_v1_CreateImageResponse, _containerd_services_images_v1_CreateImageResponse__Output>
          DeleteImageRequest: MessageTypeDefinition<_containerd_services_images_v1_DeleteImageRequest, _containerd_services_images_v1_DeleteImageRequest__Output>
          GetImageRequest: MessageTypeDefinition<_containerd_services_images_v1_GetImageRequest, _containerd_services_images_v1_GetImageRequest__Output>
          GetImageResponse: MessageTypeDefinition<_containerd_services_images_v1_GetImageResponse, _containerd_services_images_v1_GetImageResponse__Output>
          Image: MessageTypeDefinition<_containerd_services_images_v1_Image, _containerd_services_images_v1_Image__Output>
          Images: SubtypeConstructor<typeof grpc.Client, _containerd_services_images_v1_ImagesClient> & { service: _containerd_services_images_v1_ImagesDefinition }
          ListImagesRequest: MessageTypeDefinition<_containerd_services_images_v1_ListImagesRequest, _containerd_services_images_v1_ListImagesRequest__Output>
          ListImagesResponse: MessageTypeDefinition<_containerd_services_images_v1_ListImagesResponse, _containerd_services_images_v1_ListImagesResponse__Output>
          UpdateImageRequest: MessageTypeDefinition<_containerd_services_images_v1_UpdateImageRequest, _containerd_services_images_v1_UpdateImageRequest__Output>
          UpdateImageResponse: MessageTypeDefinition<_containerd_services_images_v1_UpdateImageResponse, _containerd_services_images_v1_UpdateImageResponse__Output>
        }
      }
      leases: {
        v1: {
          AddResourceRequest: MessageTypeDefinition<_containerd_services_leases_v1_AddResourceRequest, _containerd_services_leases_v1_AddResourceRequest__Output>
          CreateRequest: MessageTypeDefinition<_containerd_services_leases_v1_CreateRequest, _containerd_services_leases_v1_CreateRequest__Output>
          CreateResponse: MessageTypeDefinition<_containerd_services_leases_v1_CreateResponse, _containerd_services_leases_v1_CreateResponse__Output>
          DeleteRequest: MessageTypeDefinition<_containerd_services_leases_v1_DeleteRequest, _containerd_services_leases_v1_DeleteRequest__Output>
          DeleteResourceRequest: MessageTypeDefinition<_containerd_services_leases_v1_DeleteResourceRequest, _containerd_services_leases_v1_DeleteResourceRequest__Output>
          Lease: MessageTypeDefinition<_containerd_services_leases_v1_Lease, _containerd_services_leases_v1_Lease__Output>
          Leases: SubtypeConstructor<typeof grpc.Client, _containerd_services_leases_v1_LeasesClient> & { service: _containerd_services_leases_v1_LeasesDefinition }
          ListRequest: MessageTypeDefinition<_containerd_services_leases_v1_ListRequest, _containerd_services_leases_v1_ListRequest__Output>
          ListResourcesRequest: MessageTypeDefinition<_containerd_services_leases_v1_ListResourcesRequest, _containerd_services_leases_v1_ListResourcesRequest__Output>
          ListResourcesResponse: MessageTypeDefinition<_containerd_services_leases_v1_ListResourcesResponse, _containerd_services_leases_v1_ListResourcesResponse__Output>
          ListResponse: MessageTypeDefinition<_containerd_services_leases_v1_ListResponse, _containerd_services_leases_v1_ListResponse__Output>
          Resource: MessageTypeDefinition<_containerd_services_leases_v1_Resource, _containerd_services_leases_v1_Resource__Output>
        }
      }
      namespaces: {
        v1: {
          CreateNamespaceRequest: MessageTypeDefinition<_containerd_services_namespaces_v1_CreateNamespaceRequest, _containerd_services_namespaces_v1_CreateNamespaceRequest__Output>
          CreateNamespaceResponse: MessageTypeDefinition<_containerd_services_namespaces_v1_CreateNamespaceResponse, _containerd_services_namespaces_v1_CreateNamespaceResponse__Output>
          DeleteNamespaceRequest: MessageTypeDefinition<_containerd_services_namespaces_v1_DeleteNamespaceRequest, _containerd_services_namespaces_v1_DeleteNamespaceRequest__Output>
          GetNamespaceRequest: MessageTypeDefinition<_containerd_services_namespaces_v1_GetNamespaceRequest, _containerd_services_namespaces_v1_GetNamespaceRequest__Output>
          GetNamespaceResponse: MessageTypeDefinition<_containerd_services_namespaces_v1_GetNamespaceResponse, _containerd_services_namespaces_v1_GetNamespaceResponse__Output>
          ListNamespacesRequest: MessageTypeDefinition<_containerd_services_namespaces_v1_ListNamespacesRequest, _containerd_services_namespaces_v1_ListNamespacesRequest__Output>
          ListNamespacesResponse: MessageTypeDefinition<_containerd_services_namespaces_v1_ListNamespacesResponse, _containerd_services_namespaces_v1_ListNamespacesResponse__Output>
          Namespace: MessageTypeDefinition<_containerd_services_namespaces_v1_Namespace, _containerd_services_namespaces_v1_Namespace__Output>
          Namespaces: SubtypeConstructor<typeof grpc.Client, _containerd_services_namespaces_v1_NamespacesClient> & { service: _containerd_services_namespaces_v1_NamespacesDefinition }
          UpdateNamespaceRequest: MessageTypeDefinition<_containerd_services_namespaces_v1_UpdateNamespaceRequest, _containerd_services_namespaces_v1_UpdateNamespaceRequest__Output>
          UpdateNamespaceResponse: MessageTypeDefinition<_containerd_services_namespaces_v1_UpdateNamespaceResponse, _containerd_services_namespaces_v1_UpdateNamespaceResponse__Output>
        }
      }
      snapshots: {
        v1: {
          CleanupRequest: MessageTypeDefinition<_containerd_services_snapshots_v1_CleanupRequest, _containerd_services_snapshots_v1_CleanupRequest__Output>
          CommitSnapshotRequest: MessageTypeDefinition<_containerd_services_snapshots_v1_CommitSnapshotRequest, _containerd_services_snapshots_v1_CommitSnapshotRequest__Output>
          Info: MessageTypeDefinition<_containerd_services_snapshots_v1_Info, _containerd_services_snapshots_v1_Info__Output>
          Kind: EnumTypeDefinition
          ListSnapshotsRequest: MessageTypeDefinition<_containerd_services_snapshots_v1_ListSnapshotsRequest, _containerd_services_snapshots_v1_ListSnapshotsRequest__Output>
          ListSnapshotsResponse: MessageTypeDefinition<_containerd_services_snapshots_v1_ListSnapshotsResponse, _containerd_services_snapshots_v1_ListSnapshotsResponse__Output>
          MountsRequest: MessageTypeDefinition<_containerd_services_snapshots_v1_MountsRequest, _containerd_services_snapshots_v1_MountsRequest__Output>
          MountsResponse: MessageTypeDefinition<_containerd_services_snapshots_v1_MountsResponse, _containerd_services_snapshots_v1_MountsResponse__Output>
          PrepareSnapshotRequest: MessageTypeDefinition<_containerd_services_snapshots_v1_PrepareSnapshotRequest, _containerd_services_snapshots_v1_PrepareSnapshotRequest__Output>
          PrepareSnapshotResponse: MessageTypeDefinition<_containerd_services_snapshots_v1_PrepareSnapshotResponse, _containerd_services_snapshots_v1_PrepareSnapshotResponse__Output>
          RemoveSnapshotRequest: MessageTypeDefinition<_containerd_services_snapshots_v1_RemoveSnapshotRequest, _containerd_services_snapshots_v1_RemoveSnapshotRequest__Output>
          Snapshots: SubtypeConstructor<typeof grpc.Client, _containerd_services_snapshots_v1_SnapshotsClient> & { service: _containerd_services_snapshots_v1_SnapshotsDefinition }
          StatSnapshotRequest: MessageTypeDefinition<_containerd_services_snapshots_v1_StatSnapshotRequest, _containerd_services_snapshots_v1_StatSnapshotRequest__Output>
          StatSnapshotResponse: MessageTypeDefinition<_containerd_services_snapshots_v1_StatSnapshotResponse, _containerd_services_snapshots_v1_StatSnapshotResponse__Output>
          UpdateSnapshotRequest: MessageTypeDefinition<_containerd_services_snapshots_v1_UpdateSnapshotRequest, _containerd_services_snapshots_v1_UpdateSnapshotRequest__Output>
          UpdateSnapshotResponse: MessageTypeDefinition<_containerd_services_snapshots_v1_UpdateSnapshotResponse, _containerd_services_snapshots_v1_UpdateSnapshotResponse__Output>
          UsageRequest: MessageTypeDefinition<_containerd_services_snapshots_v1_UsageRequest, _containerd_services_snapshots_v1_UsageRequest__Output>
          UsageResponse: MessageTypeDefinition<_containerd_services_snapshots_v1_UsageResponse, _containerd_services_snapshots_v1_UsageResponse__Output>
          ViewSnapshotRequest: MessageTypeDefinition<_containerd_services_snapshots_v1_ViewSnapshotRequest, _containerd_services_snapshots_v1_ViewSnapshotRequest__Output>
          ViewSnapshotResponse: MessageTypeDefinition<_containerd_services_snapshots_v1_ViewSnapshotResponse, _containerd_services_snapshots_v1_ViewSnapshotResponse__Output>
        }
      }
      tasks: {
        v1: {
          CheckpointTaskRequest: MessageTypeDefinition<_containerd_services_tasks_v1_CheckpointTaskRequest, _containerd_services_tasks_v1_CheckpointTaskRequest__Output>
          CheckpointTaskResponse: MessageTypeDefinition<_containerd_services_tasks_v1_CheckpointTaskResponse, _containerd_services_tasks_v1_CheckpointTaskResponse__Output>
          CloseIORequest: MessageTypeDefinition<_containerd_services_tasks_v1_CloseIORequest, _containerd_services_tasks_v1_CloseIORequest__Output>
          CreateTaskRequest: MessageTypeDefinition<_containerd_services_tasks_v1_CreateTaskRequest, _containerd_services_tasks_v1_CreateTaskRequest__Output>
          CreateTaskResponse: MessageTypeDefinition<_containerd_services_tasks_v1_CreateTaskResponse, _containerd_services_tasks_v1_CreateTaskResponse__Output>
          DeleteProcessRequest: MessageTypeDefinition<_containerd_services_tasks_v1_DeleteProcessRequest, _containerd_services_tasks_v1_DeleteProcessRequest__Output>
          DeleteResponse: MessageTypeDefinition<_containerd_services_tasks_v1_DeleteResponse, _containerd_services_tasks_v1_DeleteResponse__Output>
          DeleteTaskRequest: MessageTypeDefinition<_containerd_services_tasks_v1_DeleteTaskRequest, _containerd_services_tasks_v1_DeleteTaskRequest__Output>
          ExecProcessRequest: MessageTypeDefinition<_containerd_services_tasks_v1_ExecProcessRequest, _containerd_services_tasks_v1_ExecProcessRequest__Output>
          ExecProcessResponse: MessageTypeDefinition<_containerd_services_tasks_v1_ExecProcessResponse, _containerd_services_tasks_v1_ExecProcessResponse__Output>
          GetRequest: MessageTypeDefinition<_containerd_services_tasks_v1_GetRequest, _containerd_services_tasks_v1_GetRequest__Output>
          GetResponse: MessageTypeDefinition<_containerd_services_tasks_v1_GetResponse, _containerd_services_tasks_v1_GetResponse__Output>
          KillRequest: MessageTypeDefinition<_containerd_services_tasks_v1_KillRequest, _containerd_services_tasks_v1_KillRequest__Output>
          ListPidsRequest: MessageTypeDefinition<_containerd_services_tasks_v1_ListPidsRequest, _containerd_services_tasks_v1_ListPidsRequest__Output>
          ListPidsResponse: MessageTypeDefinition<_containerd_services_tasks_v1_ListPidsResponse, _containerd_services_tasks_v1_ListPidsResponse__Output>
          ListTasksRequest: MessageTypeDefinition<_containerd_services_tasks_v1_ListTasksRequest, _containerd_services_tasks_v1_ListTasksRequest__Output>
          ListTasksResponse: MessageTypeDefinition<_containerd_services_tasks_v1_ListTasksResponse, _containerd_services_tasks_v1_ListTasksResponse__Output>
          MetricsRequest: MessageTypeDefinition<_containerd_services_tasks_v1_MetricsRequest, _containerd_services_tasks_v1_MetricsRequest__Output>
          MetricsResponse: MessageTypeDefinition<_containerd_services_tasks_v1_MetricsResponse, _containerd_services_tasks_v1_MetricsResponse__Output>
          PauseTaskRequest: MessageTypeDefinition<_containerd_services_tasks_v1_PauseTaskRequest, _containerd_services_tasks_v1_PauseTaskRequest__Output>
          ResizePtyRequest: MessageTypeDefinition<_containerd_services_tasks_v1_ResizePtyRequest, _containerd_services_tasks_v1_ResizePtyRequest__Output>
          ResumeTaskRequest: MessageTypeDefinition<_containerd_services_tasks_v1_ResumeTaskRequest, _containerd_services_tasks_v1_ResumeTaskRequest__Output>
          StartRequest: MessageTypeDefinition<_containerd_services_tasks_v1_StartRequest, _containerd_services_tasks_v1_StartRequest__Output>
          StartResponse: MessageTypeDefinition<_containerd_services_tasks_v1_StartResponse, _containerd_services_tasks_v1_StartResponse__Output>
          Tasks: SubtypeConstructor<typeof grpc.Client, _containerd_services_tasks_v1_TasksClient> & { service: _containerd_services_tasks_v1_TasksDefinition }
          UpdateTaskRequest: MessageTypeDefinition<_containerd_services_tasks_v1_UpdateTaskRequest, _containerd_services_tasks_v1_UpdateTaskRequest__Output>
          WaitRequest: MessageTypeDefinition<_containerd_services_tasks_v1_WaitRequest, _containerd_services_tasks_v1_WaitRequest__Output>
          WaitResponse: MessageTypeDefinition<_containerd_services_tasks_v1_WaitResponse, _containerd_services_tasks_v1_WaitResponse__Output>
        }
      }
      version: {
        v1: {
          Version: SubtypeConstructor<typeof grpc.Client, _containerd_services_version_v1_VersionClient> & { service: _containerd_services_version_v1_VersionDefinition }
          VersionResponse: MessageTypeDefinition<_containerd_services_version_v1_VersionResponse, _containerd_services_version_v1_VersionResponse__Output>
        }
      }
    }
    types: {
      Descriptor: MessageTypeDefinition<_containerd_types_Descriptor, _containerd_types_Descriptor__Output>
      Metric: MessageTypeDefinition<_containerd_types_Metric, _containerd_types_Metric__Output>
      Mount: MessageTypeDefinition<_containerd_types_Mount, _containerd_types_Mount__Output>
    }
    v1: {
      types: {
        Process: MessageTypeDefinition<_containerd_v1_types_Process, _containerd_v1_types_Process__Output>
        ProcessInfo: MessageTypeDefinition<_containerd_v1_types_ProcessInfo, _containerd_v1_types_ProcessInfo__Output>
        Status: EnumTypeDefinition
      }
    }
  }
  google: {
    protobuf: {
      Any: MessageTypeDefinition<_google_protobuf_Any, _google_protobuf_Any__Output>
      Empty: MessageTypeDefinition<_google_protobuf_Empty, _google_protobuf_Empty__Output>
      FieldMask: MessageTypeDefinition<_google_protobuf_FieldMask, _google_protobuf_FieldMask__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
}

