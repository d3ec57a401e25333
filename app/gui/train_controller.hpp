// Train mode from the window. The App members that drive the training worker (TrainHost) live in
// train_controller.cpp: the first start (App::start_training), the newest progress taken at the
// start of a frame (take_train_progress), the model view and its textures (update_train_view), the
// commands a frame's panels posted, opening and saving models. What they share with the test
// hooks is here.
#pragma once
#include <string>

#include "core/train_state.hpp"

namespace app::gui {

// The task list's "a text file…": checks the file (throws naming it) and makes it the choice.
void choose_text_file(TrainState& train, const std::string& path);

}  // namespace app::gui
