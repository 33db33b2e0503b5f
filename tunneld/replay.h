#ifndef TUNNELD_REPLAY_H
#define TUNNELD_REPLAY_H
#endif
