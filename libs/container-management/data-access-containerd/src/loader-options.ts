// How @grpc/proto-loader turns containerd's messages into JS objects. One home for both sides: the client
// loads the descriptor with these, and tools/gen-types.mjs passes them to proto-loader-gen-types, so the
// generated types (src/generated/types/) describe what the runtime really sends and receives (issue 22).
import type { Options } from '@grpc/proto-loader';

export const LOADER_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: true,
  longs: Number,
  enums: String,
  // Absent scalars read as their zero value, absent messages as null (the __Output types say which).
  defaults: true,
  oneofs: true,
});
