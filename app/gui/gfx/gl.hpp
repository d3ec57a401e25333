// The one place the OpenGL headers come from: core-profile prototypes, linked straight from
// libGL (Mesa exports every core entry point, so no loader library is needed on Linux).
#pragma once
#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/gl.h>
#include <GL/glext.h>
