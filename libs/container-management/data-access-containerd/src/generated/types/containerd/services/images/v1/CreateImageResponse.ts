// Original file: null

import type { Image as _containerd_services_images_v1_Image, Image__Output as _containerd_services_images_v1_Image__Output } from '../../../../containerd/services/images/v1/Image';

export interface CreateImageResponse {
  'image'?: (_containerd_services_images_v1_Image | null);
}

export interface CreateImageResponse__Output {
  'image': (_containerd_services_images_v1_Image__Output | null);
}
