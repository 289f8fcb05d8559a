// The RayCore types that appear in the public API, so `import Ray` is all a user needs.
@_exported import struct RayCore.JobID
@_exported import struct RayCore.NodeID
@_exported import struct RayCore.NodeInfo
@_exported import struct RayCore.NodeStatus
@_exported import enum RayCore.NumericDType
@_exported import protocol RayCore.NumericElement
@_exported import struct RayCore.ObjectID
@_exported import struct RayCore.Resources
@_exported import struct RayCore.TaskID
